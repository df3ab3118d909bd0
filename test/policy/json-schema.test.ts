import Ajv2020 from 'ajv/dist/2020';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { POLICY_SCHEMA_FILE, policyJsonSchema, policyJsonSchemaText } from '../../lib/policy';
import { REFERENCE_EXAMPLE, DEPLOY_POLICY, REPO_ROOT } from './examples';

const committed = readFileSync(join(REPO_ROOT, POLICY_SCHEMA_FILE), 'utf8');

describe('published JSON Schema', () => {
  test(`${POLICY_SCHEMA_FILE} is up to date (regenerate with: npm run schema)`, () => {
    expect(committed).toBe(policyJsonSchemaText());
  });

  test('it describes the policy: required version, strict objects, enums and defaults', () => {
    const schema = policyJsonSchema() as {
      required: string[];
      additionalProperties: boolean;
      properties: Record<string, { properties?: Record<string, { default?: unknown }>; items?: { properties: Record<string, { enum?: string[] }>; required: string[] } }>;
    };
    expect(schema.required).toEqual(['version']);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.guard?.properties?.cooldownSeconds?.default).toBe(900);
    expect(schema.properties.alarms?.items?.properties.scope?.enum).toEqual(['auto', 'node', 'instance']);
    expect(schema.properties.alarms?.items?.required).toEqual(['name', 'match']);
  });

  describe('an editor using it agrees with the loader', () => {
    const validate = new Ajv2020({ strict: false }).compile(JSON.parse(committed));

    test.each([
      ['the reference example', parse(REFERENCE_EXAMPLE)],
      ['deploy/policy.yaml', parse(readFileSync(DEPLOY_POLICY, 'utf8'))],
      ['a minimal policy', { version: 1 }],
    ])('%s is valid', (_name, policy) => {
      expect(validate(policy)).toBe(true);
    });

    test.each([
      ['an unknown key', { version: 1, guard: { cooldown: 5 } }],
      ['a bad scope', { version: 1, alarms: [{ name: 'r', match: {}, scope: 'cluster' }] }],
      ['an instance name in deny', { version: 1, instances: { deny: ['shop-cache'] } }],
      ['a negative cooldown', { version: 1, guard: { cooldownSeconds: -1 } }],
      ['a missing version', {}],
    ])('%s is invalid', (_name, policy) => {
      expect(validate(policy)).toBe(false);
    });
  });
});
