/**
 * The build-checked policy (lib/policy/checked.ts): trusted only for this
 * build and the policy file's exact text, and then exactly what validating
 * that text gives; anything else is validated in full, never used stale.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { BUILD_ID, checkedPolicyPath, clearPolicyCache, loadPolicy, type LoadedPolicy, type PolicyError } from '../../lib/policy';
import { checkedPolicyText, trustedCheckedPolicy } from '../../lib/policy/checked';
import { checkPolicyText, validatePolicyText } from '../../lib/policy/validate-module';
import type { Policy } from '../../lib/policy/schema';
import type { Result } from '../../lib/domain/types';
import { DEPLOY_POLICY, REFERENCE_EXAMPLE } from './examples';

const PACKAGED = readFileSync(DEPLOY_POLICY, 'utf8');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'policy-checked-'));
  clearPolicyCache();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function validated(text: string): Policy {
  const result = validatePolicyText(text, 'yaml');
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value;
}

function checked(text: string): string {
  const result = checkPolicyText(text, 'yaml');
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value.checked;
}

/** policy.yaml (and, when given, policy.checked.json) in the temp dir, as a package holds them. */
function packaged(text: string, checkedText?: string): string {
  const path = join(dir, 'policy.yaml');
  writeFileSync(path, text);
  if (checkedText !== undefined) writeFileSync(checkedPolicyPath(path), checkedText);
  return path;
}

const countingReader = () => {
  const reads: string[] = [];
  return { reads, readFile: (path: string) => (reads.push(path), readFileSync(path, 'utf8')) };
};

function load(path: string, env: Record<string, string> = {}, readFile?: (path: string) => string): Result<LoadedPolicy, PolicyError> {
  return loadPolicy({ env, defaultPath: path, checked: true, ...(readFile ? { readFile } : {}) });
}

function loaded(result: Result<LoadedPolicy, PolicyError>): LoadedPolicy {
  if (!result.ok) throw new Error(result.error.format());
  return result.value;
}

/** A checked file for `text` whose output differs from validation's: seeing it proves the checked file was used. */
const MARKED = (text: string, build = BUILD_ID) => checkedPolicyText(text, 'yaml', { ...validated(text), guard: { ...validated(text).guard, cooldownSeconds: 4242 } }, build);
const usedChecked = (r: Result<LoadedPolicy, PolicyError>) => loaded(r).policy.guard.cooldownSeconds === 4242;

describe('the checked output is exactly what validation gives', () => {
  test('for the packaged policy (deploy/policy.yaml)', () => {
    const fromChecked = trustedCheckedPolicy(checked(PACKAGED), PACKAGED, 'yaml');
    expect(fromChecked).toStrictEqual(validated(PACKAGED));
    // and what a function loads without the checked file
    expect(loaded(load(packaged(PACKAGED, checked(PACKAGED)))).policy).toEqual(loaded(loadPolicy({ env: {}, defaultPath: DEPLOY_POLICY })).policy);
  });

  const edits: [string, (text: string) => string][] = [
    ['dryRun lifted', (t) => t.replace('dryRun: true', 'dryRun: false')],
    ['a rule added', (t) => t.replace('schedules: {}', '  - name: cpu\n    match: {metrics: [cpu_usage]}\n    action: {kind: kill-matching, select: {idleSecondsAtLeast: 600}, protect: {addresses: [10.0.0.0/8]}}\nschedules: {}')],
    ['a schedule', (t) => t.replace('schedules: {}', 'schedules:\n  nightly:\n    targets: [{instance: 5e2b1c9a-7f3d-4d2e-9b8a-1c2d3e4f5a6b, nodes: all}]')],
    ['notify and metrics', (t) => `${t}\nnotify:\n  on: [executed]\n  webhooks: [{urlEnv: HOOK_URL, format: feishu, secretEnv: HOOK_SECRET}]\nmetrics: {enabled: true}\n`],
    ['anchors and aliases', (t) => t.replace('  deny: []', '  deny: &d ["0*"]\n').replace('schedules: {}', '  - name: again\n    match: {instances: *d}\nschedules: {}')],
    ['CRLF line ends', (t) => t.replace(/\n/g, '\r\n')],
    ['the reference example', () => REFERENCE_EXAMPLE],
  ];

  test.each(edits)('for an edited text: %s', (_, edit) => {
    const text = edit(PACKAGED);
    expect(trustedCheckedPolicy(checked(text), text, 'yaml')).toStrictEqual(validated(text));
    expect(loaded(load(packaged(text, checked(text)))).policy).toStrictEqual(loaded(load(packaged(text))).policy);
  });

  test('whatever the environment and the clock: validation reads nothing but the text', () => {
    const before = validated(REFERENCE_EXAMPLE);
    const saved = { ...process.env };
    jest.useFakeTimers({ now: new Date('2099-02-28T23:59:59Z') });
    try {
      Object.assign(process.env, { TZ: 'Asia/Kathmandu', LANG: 'tr_TR.UTF-8', GUARD_DRY_RUN: 'true', GUARD_POLICY: '{"version":1}', HOOK_URL: 'https://x.example/', DCS_REGION: 'cn-north-4' });
      expect(validated(REFERENCE_EXAMPLE)).toStrictEqual(before);
      expect(checked(REFERENCE_EXAMPLE)).toBe(checkedPolicyText(REFERENCE_EXAMPLE, 'yaml', before));
    } finally {
      jest.useRealTimers();
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });

  test('the checked file round-trips through JSON to the same values (property, over rule lists)', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9 -]{0,20}$/);
    const rule = fc.record({ name, metrics: fc.array(fc.stringMatching(/^[a-z_*?]{1,12}$/), { minLength: 1, maxLength: 3 }), scope: fc.constantFrom('auto', 'node', 'instance') });
    fc.assert(
      fc.property(fc.uniqueArray(rule, { selector: (r) => r.name, maxLength: 5 }), fc.boolean(), fc.integer({ min: 0, max: 604800 }), (rules, dryRun, cooldown) => {
        const text = [
          'version: 1',
          `dryRun: ${dryRun}`,
          `guard: {cooldownSeconds: ${cooldown}}`,
          'alarms:',
          ...rules.map((r) => `  - {name: ${JSON.stringify(r.name)}, match: {metrics: ${JSON.stringify(r.metrics)}}, scope: ${r.scope}}`),
          rules.length === 0 ? '  []' : '',
        ].join('\n');
        expect(trustedCheckedPolicy(checked(text), text, 'yaml')).toStrictEqual(validated(text));
      }),
      { numRuns: 60 },
    );
  });
});

describe('when the checked file is used', () => {
  test('this build, the exact text: used, without validating', () => {
    expect(usedChecked(load(packaged(PACKAGED, MARKED(PACKAGED))))).toBe(true);
  });

  test('the policy file and its checked file are read, nothing else', () => {
    const path = packaged(PACKAGED, checked(PACKAGED));
    const { reads, readFile } = countingReader();
    load(path, {}, readFile);
    expect(reads).toEqual([path, join(dir, 'policy.checked.json')]);
  });

  test('GUARD_DRY_RUN=true is applied after it, as after validation', () => {
    const live = PACKAGED.replace('dryRun: true', 'dryRun: false');
    const result = loaded(load(packaged(live, checked(live)), { GUARD_DRY_RUN: 'true' }));
    expect(result).toMatchObject({ forcedDryRun: true, policy: { dryRun: true } });
    expect(loaded(load(packaged(live, checked(live)))).policy.dryRun).toBe(false);
  });

  test('the checked policy is frozen like a validated one', () => {
    const result = loaded(load(packaged(PACKAGED, checked(PACKAGED))));
    expect(Object.isFrozen(result.policy.guard)).toBe(true);
    expect(Object.isFrozen(result.policy.alarms[0]!.match.metrics)).toBe(true);
  });

  test('only where asked: validate and deploy (checked unset) validate in full', () => {
    const path = packaged(PACKAGED, MARKED(PACKAGED));
    expect(usedChecked(loadPolicy({ env: {}, defaultPath: path }))).toBe(false);
  });
});

describe('when it is not: the policy is validated in full, never used stale', () => {
  const stale: [string, (path: string) => void][] = [
    ['no checked file', (path) => rmSync(checkedPolicyPath(path))],
    ['policy.yaml edited in place (one character)', (path) => writeFileSync(path, PACKAGED.replace('cooldownSeconds: 900', 'cooldownSeconds: 901'))],
    ['policy.yaml edited in place (a trailing newline)', (path) => writeFileSync(path, `${PACKAGED}\n`)],
    ['policy.yaml with CRLF line ends', (path) => writeFileSync(path, PACKAGED.replace(/\n/g, '\r\n'))],
    ['another build', (path) => writeFileSync(checkedPolicyPath(path), MARKED(PACKAGED, 'another-build'))],
    ['another format', (path) => writeFileSync(checkedPolicyPath(path), MARKED(PACKAGED).replace('"format": 1', '"format": 2'))],
    ['the checked policy edited by hand (digest)', (path) => writeFileSync(checkedPolicyPath(path), MARKED(PACKAGED).replace('"dryRun": true', '"dryRun": false'))],
    ['the checked file is not JSON', (path) => writeFileSync(checkedPolicyPath(path), '{"format": 1,')],
    ['the checked file is a directory', (path) => (rmSync(checkedPolicyPath(path)), require('node:fs').mkdirSync(checkedPolicyPath(path)))],
  ];

  test.each(stale)('%s', (_, spoil) => {
    const path = packaged(PACKAGED, MARKED(PACKAGED));
    spoil(path);
    const result = load(path);
    expect(usedChecked(result)).toBe(false);
    expect(loaded(result).policy).toEqual(validated(readFileSync(path, 'utf8')));
  });

  test('a JSON policy file is not vouched for by a YAML check of the same text (the grammars differ)', () => {
    const text = '{"version": 1, "dryRun": true,}';
    const path = join(dir, 'policy.json');
    writeFileSync(path, text);
    writeFileSync(checkedPolicyPath(path), checkedPolicyText(text, 'yaml', validated(text)));
    const result = load(path);
    expect(result.ok).toBe(false);
    expect(result.ok ? null : result.error.format()).toBe(`policy ${path}:1:31: Syntax error: JSON expects a property name in double quotes here (JSON allows no trailing comma)`);
  });

  test('an invalid edit beside a stale checked file is refused with its located message', () => {
    const path = packaged(PACKAGED, checked(PACKAGED));
    const bad = PACKAGED.replace('cooldownSeconds: 900', 'cooldownSeconds: -5');
    writeFileSync(path, bad);
    const result = load(path);
    if (result.ok) throw new Error('the invalid edit was accepted');
    const line = bad.split('\n').findIndex((l) => l.includes('cooldownSeconds: -5')) + 1;
    expect(result.error.format()).toBe(`policy ${path}:${line}:20 at guard.cooldownSeconds: Too small: expected number to be >=0`);
  });
});

describe('the validator the build runs', () => {
  test('an invalid policy gives the message a function would give (the build fails with it)', () => {
    const bad = PACKAGED.replace('scope: auto', 'scope: cluster');
    const result = checkPolicyText(bad, 'yaml');
    expect(result.ok).toBe(false);
    const fromFunction = loadPolicy({ env: {}, defaultPath: packaged(bad) });
    expect(fromFunction.ok).toBe(false);
    if (result.ok || fromFunction.ok) return;
    const { formatFailure } = require('../../lib/policy/validate-module') as typeof import('../../lib/policy/validate-module');
    expect(formatFailure('policy', join(dir, 'policy.yaml'), result.error.issues)).toBe(fromFunction.error.format());
  });
});
