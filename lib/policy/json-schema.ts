/**
 * The policy's JSON Schema, generated from the zod schema (the single source of
 * truth), for editors: `# yaml-language-server: $schema=...` in YAML, `"$schema"`
 * in JSON. The committed copy is schema/policy.schema.json; a test fails when it
 * is stale. Regenerate with `npm run schema` (node schema/generate.mjs).
 *
 * It describes the input (what a user writes): defaulted fields are optional.
 * Cross-field checks (unique rule names) are not expressible in it; the loader
 * still enforces them.
 */
import * as z from 'zod';
import { PolicySchema } from './schema';

export const POLICY_SCHEMA_FILE = 'schema/policy.schema.json';

export function policyJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(PolicySchema, { io: 'input', target: 'draft-2020-12' });
  return { ...generated, title: 'dcs-session-guard policy' };
}

/** The exact text of the committed schema file. */
export function policyJsonSchemaText(): string {
  return `${JSON.stringify(policyJsonSchema(), null, 2)}\n`;
}
