import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearPolicyCache, getPolicy, INLINE_SOURCE, loadPolicy, type LoadedPolicy, type PolicyError } from '../../lib/policy';
import type { Result } from '../../lib/domain/types';
import { REFERENCE_EXAMPLE, DEPLOY_POLICY } from './examples';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'policy-test-'));
  clearPolicyCache();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function failure(result: Result<LoadedPolicy, PolicyError>): PolicyError {
  if (result.ok) throw new Error('expected the policy to fail to load');
  return result.error;
}

function success(result: Result<LoadedPolicy, PolicyError>): LoadedPolicy {
  if (!result.ok) throw new Error(result.error.format());
  return result.value;
}

const countingReader = () => {
  const reads: string[] = [];
  return { reads, readFile: (path: string) => (reads.push(path), readFileSync(path, 'utf8')) };
};

describe('where the policy comes from', () => {
  test('GUARD_POLICY unset: the packaged default', () => {
    const loaded = success(loadPolicy({ env: {}, defaultPath: DEPLOY_POLICY }));
    expect(loaded.source).toBe(DEPLOY_POLICY);
    expect(loaded.policy.dryRun).toBe(true);
    expect(loaded.forcedDryRun).toBe(false);
  });

  test('GUARD_POLICY blank counts as unset', () => {
    expect(success(loadPolicy({ env: { GUARD_POLICY: '  ' }, defaultPath: DEPLOY_POLICY })).source).toBe(DEPLOY_POLICY);
  });

  test('GUARD_POLICY as a YAML file path', () => {
    const path = write('p.yaml', REFERENCE_EXAMPLE);
    const loaded = success(loadPolicy({ env: { GUARD_POLICY: path }, defaultPath: DEPLOY_POLICY }));
    expect(loaded.source).toBe(path);
    expect(loaded.policy.alarms[0]?.name).toBe('connection-pressure');
  });

  test('a relative GUARD_POLICY resolves against baseDir, by default the directory of the packaged policy', () => {
    write('prod.yaml', 'version: 1\ndryRun: false');
    const defaultPath = join(dir, 'policy.yaml');
    expect(success(loadPolicy({ env: { GUARD_POLICY: 'prod.yaml' }, defaultPath })).source).toBe(join(dir, 'prod.yaml'));
    expect(success(loadPolicy({ env: { GUARD_POLICY: 'prod.yaml' }, defaultPath: DEPLOY_POLICY, baseDir: dir })).source).toBe(join(dir, 'prod.yaml'));
  });

  test('GUARD_POLICY as inline JSON', () => {
    const loaded = success(loadPolicy({ env: { GUARD_POLICY: ' {"version": 1, "guard": {"cooldownSeconds": 5}}' }, defaultPath: DEPLOY_POLICY }));
    expect(loaded.source).toBe(INLINE_SOURCE);
    expect(loaded.policy.guard.cooldownSeconds).toBe(5);
  });

  test('a missing file is a clear error, not an exception', () => {
    const error = failure(loadPolicy({ env: { GUARD_POLICY: join(dir, 'nope.yaml') }, defaultPath: DEPLOY_POLICY }));
    expect(error.code).toBe('policy_unreadable');
    expect(error.format()).toBe(`policy ${join(dir, 'nope.yaml')}: Cannot read the file (no such file)`);
  });

  test('the loaded policy is frozen: one invocation cannot change it for the next', () => {
    const loaded = success(loadPolicy({ env: {}, defaultPath: DEPLOY_POLICY }));
    expect(() => {
      (loaded.policy.guard as { cooldownSeconds: number }).cooldownSeconds = 0;
    }).toThrow(TypeError);
  });
});

describe('GUARD_DRY_RUN', () => {
  const live = '{"version": 1, "dryRun": false}';

  test('"true" forces dry run whatever the policy says', () => {
    const loaded = success(loadPolicy({ env: { GUARD_POLICY: live, GUARD_DRY_RUN: 'true' }, defaultPath: DEPLOY_POLICY }));
    expect(loaded.policy.dryRun).toBe(true);
    expect(loaded.forcedDryRun).toBe(true);
  });

  test.each(['false', '', ' FALSE '])('%j leaves the decision to the policy', (value) => {
    const loaded = success(loadPolicy({ env: { GUARD_POLICY: live, GUARD_DRY_RUN: value }, defaultPath: DEPLOY_POLICY }));
    expect(loaded.policy.dryRun).toBe(false);
    expect(loaded.forcedDryRun).toBe(false);
  });

  test.each(['yes', '1', 'ture', 'on'])('%j is an error: a mistyped safety switch must not let kills through', (value) => {
    const error = failure(loadPolicy({ env: { GUARD_POLICY: live, GUARD_DRY_RUN: value }, defaultPath: DEPLOY_POLICY }));
    expect(error.code).toBe('env_invalid');
    expect(error.format()).toBe(`policy GUARD_DRY_RUN: Expected "true" or "false", got ${JSON.stringify(value)}`);
  });
});

describe('errors point at the line and path', () => {
  test('YAML file: an invalid value', () => {
    const path = write('policy.yaml', [
      'version: 1',
      'alarms:',
      '  - name: ok-rule',
      '    match: {}',
      '  - name: bad-rule',
      '    match:',
      '      metrics: [connected_clients]',
      '    scope: cluster',
    ].join('\n'));
    const error = failure(loadPolicy({ env: { GUARD_POLICY: path }, defaultPath: DEPLOY_POLICY }));
    expect(error.code).toBe('policy_invalid');
    expect(error).toMatchObject({ source: path, path: ['alarms', 1, 'scope'], line: 8, column: 12 });
    expect(error.format()).toBe(`policy ${path}:8:12 at alarms[1].scope: Invalid option: expected one of "auto"|"node"|"instance"`);
  });

  test('YAML file: an unknown key is reported at the key itself, with a suggestion', () => {
    const path = write('policy.yaml', 'version: 1\nguard:\n  cooldownSeconds: 60\n  maxKillsPerHr: 5\n');
    const error = failure(loadPolicy({ env: { GUARD_POLICY: path }, defaultPath: DEPLOY_POLICY }));
    expect(error.format()).toBe(`policy ${path}:4:3 at guard.maxKillsPerHr: Unknown key "maxKillsPerHr" (did you mean "maxKillsPerHour"?)`);
  });

  test('YAML file: every problem is listed, each at its own line', () => {
    const path = write('policy.yaml', 'version: 1\ndryRun: maybe\njobs:\n  waitSeconds: -5\n  bogus: 1\n');
    const error = failure(loadPolicy({ env: { GUARD_POLICY: path }, defaultPath: DEPLOY_POLICY }));
    expect(error.issues.map((issue) => [issue.path.join('.'), issue.line])).toEqual([
      ['dryRun', 2],
      ['jobs.waitSeconds', 4],
      ['jobs.bogus', 5],
    ]);
    expect(error.format()).toMatch(/:2:9 at dryRun: .*expected boolean.* \(and 2 more problems\)$/);
    expect(error.formatAll()).toHaveLength(3);
  });

  test('YAML file: a missing required key is reported where its object starts', () => {
    const path = write('policy.yaml', 'version: 1\nalarms:\n  - name: r\n    scope: node\n');
    const error = failure(loadPolicy({ env: { GUARD_POLICY: path }, defaultPath: DEPLOY_POLICY }));
    expect(error).toMatchObject({ path: ['alarms', 0, 'match'], line: 3, column: 5 });
  });

  test('YAML file: an id YAML reads as a number gets a hint to quote it', () => {
    const path = write('policy.yaml', 'version: 1\nalarms:\n  - name: 12e4\n    match: {}\n');
    const error = failure(loadPolicy({ env: { GUARD_POLICY: path }, defaultPath: DEPLOY_POLICY }));
    expect(error.format()).toBe(`policy ${path}:3:11 at alarms[0].name: Invalid input: expected string, received number (put it in quotes)`);
  });

  test('YAML file: `dryRun: yes` (a string in YAML 1.2) gets a hint to write true or false', () => {
    const path = write('policy.yaml', 'version: 1\ndryRun: yes\n');
    const error = failure(loadPolicy({ env: { GUARD_POLICY: path }, defaultPath: DEPLOY_POLICY }));
    expect(error.format()).toBe(`policy ${path}:2:9 at dryRun: Invalid input: expected boolean, received string (use true or false)`);
  });

  test('JSON file: a trailing comma, which YAML would accept, is a syntax error at its line and column', () => {
    const path = write('policy.json', '{\n  "version": 1,\n  "dryRun": true,\n}\n');
    const error = failure(loadPolicy({ env: { GUARD_POLICY: path }, defaultPath: DEPLOY_POLICY }));
    expect(error.code).toBe('policy_syntax');
    expect(error.format()).toBe(`policy ${path}:4:1: Syntax error: JSON expects a property name in double quotes here (JSON allows no trailing comma)`);
  });

  test('inline JSON: a comment is a syntax error too; the same text as a .yaml file is fine', () => {
    const text = '{"version": 1, "dryRun": true} # acting later';
    const error = failure(loadPolicy({ env: { GUARD_POLICY: text }, defaultPath: DEPLOY_POLICY }));
    expect(error.format()).toBe('policy GUARD_POLICY (inline JSON):1:32: Syntax error: JSON expects end of input here');
    const path = write('policy.yaml', text);
    expect(loadPolicy({ env: { GUARD_POLICY: path }, defaultPath: DEPLOY_POLICY }).ok).toBe(true);
  });

  test('YAML file: a problem reached through an alias is reported at the anchored text', () => {
    const path = write('policy.yaml', 'version: 1\nalarms:\n  - name: a\n    match: &m {metrics: []}\n  - name: b\n    match: *m\n');
    const error = failure(loadPolicy({ env: { GUARD_POLICY: path }, defaultPath: DEPLOY_POLICY }));
    expect(error.issues.map((issue) => [issue.path.join('.'), issue.line, issue.column])).toEqual([
      ['alarms.0.match.metrics', 4, 25],
      ['alarms.1.match.metrics', 4, 25],
    ]);
  });

  test('YAML syntax error: its line', () => {
    const path = write('policy.yaml', 'version: 1\nguard:\n  cooldownSeconds: 60\n maxKillsPerHour: 5\n');
    const error = failure(loadPolicy({ env: { GUARD_POLICY: path }, defaultPath: DEPLOY_POLICY }));
    expect(error.code).toBe('policy_syntax');
    expect(error.line).toBe(4);
    expect(error.format()).toMatch(new RegExp(`^policy ${path}:4:\\d+: Syntax error: `));
  });

  test('YAML duplicate keys are a syntax error (the second would silently win)', () => {
    const path = write('policy.yaml', 'version: 1\ndryRun: true\ndryRun: false\n');
    const error = failure(loadPolicy({ env: { GUARD_POLICY: path }, defaultPath: DEPLOY_POLICY }));
    expect(error).toMatchObject({ code: 'policy_syntax', line: 3 });
  });

  test('an empty file', () => {
    const path = write('policy.yaml', '# nothing here\n');
    expect(failure(loadPolicy({ env: { GUARD_POLICY: path }, defaultPath: DEPLOY_POLICY })).format()).toBe(
      `policy ${path}: The policy is empty; it needs at least "version: 1"`,
    );
  });

  test('JSON file: line and column of the bad value', () => {
    const path = write('policy.json', '{\n  "version": 1,\n  "instances": {\n    "deny": ["shop-cache"]\n  }\n}\n');
    const error = failure(loadPolicy({ env: { GUARD_POLICY: path }, defaultPath: DEPLOY_POLICY }));
    expect(error).toMatchObject({ path: ['instances', 'deny', 0], line: 4, column: 14 });
  });

  test('JSON syntax error: its line', () => {
    const path = write('policy.json', '{\n  "version": 1,\n  "dryRun": true,,\n}\n');
    expect(failure(loadPolicy({ env: { GUARD_POLICY: path }, defaultPath: DEPLOY_POLICY }))).toMatchObject({ code: 'policy_syntax', line: 3 });
  });

  test('inline JSON: the column within the variable', () => {
    const error = failure(loadPolicy({ env: { GUARD_POLICY: '{"version": 1, "guard": {"maxKillsPerHour": 0}}' }, defaultPath: DEPLOY_POLICY }));
    expect(error.format()).toBe('policy GUARD_POLICY (inline JSON):1:45 at guard.maxKillsPerHour: Too small: expected number to be >=1');
  });

  test('inline JSON syntax error', () => {
    const error = failure(loadPolicy({ env: { GUARD_POLICY: '{"version": 1' }, defaultPath: DEPLOY_POLICY }));
    expect(error).toMatchObject({ code: 'policy_syntax', source: INLINE_SOURCE, line: 1 });
  });

  test('a path segment that is not a plain name is quoted', () => {
    const error = failure(loadPolicy({ env: { GUARD_POLICY: '{"version": 1, "schedules": {"n": {"targets": [{"instance": "x", "nodes": "all"}]}}}' }, defaultPath: DEPLOY_POLICY }));
    expect(error.format()).toMatch(/ at schedules\.n\.targets\[0\]\.instance: /);
    const quoted = failure(loadPolicy({ env: { GUARD_POLICY: '{"version": 1, "schedules": {"night shift": {}}}' }, defaultPath: DEPLOY_POLICY }));
    expect(quoted.format()).toMatch(/ at schedules\["night shift"\]: /);
  });
});

describe('getPolicy: once per warm container', () => {
  test('the second call does not read the file again', () => {
    const path = write('p.yaml', REFERENCE_EXAMPLE);
    const { reads, readFile } = countingReader();
    const first = getPolicy({ env: { GUARD_POLICY: path }, defaultPath: DEPLOY_POLICY, readFile });
    const second = getPolicy({ env: { GUARD_POLICY: path }, defaultPath: DEPLOY_POLICY, readFile });
    expect(reads).toEqual([path]);
    expect(second).toBe(first);
  });

  test('an invalid policy is cached too: every invocation fails the same way', () => {
    const path = write('p.yaml', 'version: 1\nguard: {failOpen: maybe}\n');
    const { reads, readFile } = countingReader();
    const messages = [1, 2, 3].map(() => failure(getPolicy({ env: { GUARD_POLICY: path }, defaultPath: DEPLOY_POLICY, readFile })).format());
    expect(reads).toHaveLength(1);
    expect(new Set(messages)).toEqual(new Set([`policy ${path}:2:19 at guard.failOpen: Invalid input: expected boolean, received string (use true or false)`]));
  });

  test('a different GUARD_POLICY or GUARD_DRY_RUN is a different entry', () => {
    const a = write('a.yaml', 'version: 1\n');
    const { reads, readFile } = countingReader();
    const live = success(getPolicy({ env: { GUARD_POLICY: a }, defaultPath: DEPLOY_POLICY, readFile }));
    const forced = success(getPolicy({ env: { GUARD_POLICY: a, GUARD_DRY_RUN: 'true' }, defaultPath: DEPLOY_POLICY, readFile }));
    success(getPolicy({ env: {}, defaultPath: DEPLOY_POLICY, readFile }));
    expect(live.policy.dryRun).toBe(false);
    expect(forced.policy.dryRun).toBe(true);
    expect(reads).toEqual([a, a, DEPLOY_POLICY]);
  });

  test('clearPolicyCache forgets', () => {
    const path = write('p.yaml', 'version: 1\n');
    const { reads, readFile } = countingReader();
    getPolicy({ env: { GUARD_POLICY: path }, defaultPath: DEPLOY_POLICY, readFile });
    clearPolicyCache();
    getPolicy({ env: { GUARD_POLICY: path }, defaultPath: DEPLOY_POLICY, readFile });
    expect(reads).toHaveLength(2);
  });
});

describe('getPolicy: the warm lookup (same options object every invocation)', () => {
  test('answers from the last lookup without reading, and still sees a changed GUARD_DRY_RUN or GUARD_POLICY', () => {
    const a = write('a.yaml', 'version: 1\n');
    const b = write('b.yaml', 'version: 1\nguard: {cooldownSeconds: 7}\n');
    const { reads, readFile } = countingReader();
    const env: Record<string, string | undefined> = { GUARD_POLICY: a };
    const opts = { env, defaultPath: DEPLOY_POLICY, readFile };
    const first = success(getPolicy(opts));
    expect(success(getPolicy(opts))).toBe(first);
    expect(first.policy.dryRun).toBe(false);
    // The same options object, a variable changed in place: never the stale answer.
    env.GUARD_DRY_RUN = 'true';
    expect(success(getPolicy(opts)).policy.dryRun).toBe(true);
    env.GUARD_POLICY = b;
    expect(success(getPolicy(opts)).policy).toMatchObject({ dryRun: true, guard: { cooldownSeconds: 7 } });
    env.GUARD_DRY_RUN = 'ture';
    expect(failure(getPolicy(opts)).code).toBe('env_invalid');
    expect(reads).toEqual([a, a, b]);
  });

  test('clearPolicyCache forgets the last lookup too', () => {
    const path = write('p.yaml', 'version: 1\n');
    const { reads, readFile } = countingReader();
    const opts = { env: { GUARD_POLICY: path }, defaultPath: DEPLOY_POLICY, readFile };
    getPolicy(opts);
    clearPolicyCache();
    getPolicy(opts);
    expect(reads).toHaveLength(2);
  });
});
