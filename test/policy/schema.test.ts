import { readFileSync } from 'node:fs';
import { parsePolicy, PolicySchema, type Policy } from '../../lib/policy';
import { REFERENCE_EXAMPLE, DEPLOY_POLICY, INSTANCE_A } from './examples';

function valid(text: string): Policy {
  const result = parsePolicy(text, 'test.yaml');
  if (!result.ok) throw new Error(result.error.formatAll().join('\n'));
  return result.value;
}

/** The first problem of an invalid policy given as a JS object, as [path, message]. */
function firstProblem(input: unknown): [string, string] {
  const result = parsePolicy(JSON.stringify(input), 'test.json');
  if (result.ok) throw new Error('expected the policy to be invalid');
  return [result.error.path.join('.'), result.error.message];
}

describe('policy schema', () => {
  test('a minimal policy gets every default', () => {
    expect(valid('version: 1')).toEqual({
      version: 1,
      dryRun: false,
      instances: { allow: ['*'], deny: [] },
      alarms: [],
      schedules: {},
      guard: { cooldownSeconds: 900, maxKillsPerHour: 20, maxKillsPerHourPerInstance: 6, dedupTtlSeconds: 86400, failOpen: false, storeTimeoutMs: 500 },
      jobs: { waitSeconds: 30, pollIntervalMs: 1000 },
      audit: { snapshotSessions: true, snapshotMaxNodes: 16, snapshotBudgetMs: 1500 },
      notify: { on: ['executed', 'failed', 'skipped_rate_limit'], webhooks: [], timeoutMs: 1500 },
      history: { enabled: true, maxEntries: 100000, maxAgeDays: 30 },
      metrics: { enabled: false, namespace: 'CUSTOM.DCSGUARD', timeoutMs: 1500 },
    });
  });

  test('defaults fill in only what a section leaves out', () => {
    const policy = valid('version: 1\nguard: {cooldownSeconds: 60}\nalarms: [{name: r, match: {}}]');
    expect(policy.guard.cooldownSeconds).toBe(60);
    expect(policy.guard.maxKillsPerHour).toBe(20);
    expect(policy.alarms[0]).toEqual({ name: 'r', match: {}, scope: 'auto', action: { kind: 'kill-all' } });
  });

  test("the example policy of docs/reference.md validates", () => {
    const policy = valid(REFERENCE_EXAMPLE);
    expect(policy.alarms[0]?.match.alarmNames).toEqual(['dcs-*']);
    expect(policy.schedules.nightly?.targets).toEqual([{ instance: INSTANCE_A, nodes: 'all' }]);
  });

  test('the packaged deploy/policy.yaml validates and is safe by default', () => {
    const policy = valid(readFileSync(DEPLOY_POLICY, 'utf8'));
    expect(policy.dryRun).toBe(true);
    expect(policy.guard.failOpen).toBe(false);
    expect(policy.alarms.length).toBeGreaterThan(0);
  });

  test.each<[string, unknown, string, RegExp]>([
    ['missing version', {}, 'version', /version: 1/],
    ['wrong version', { version: 2 }, 'version', /version: 1/],
    ['unknown top-level key', { version: 1, dryrun: true }, 'dryrun', /Unknown key "dryrun" \(did you mean "dryRun"\?\)/],
    ['typo in guard', { version: 1, guard: { cooldown: 5 } }, 'guard.cooldown', /did you mean "cooldownSeconds"/],
    ['bad scope', { version: 1, alarms: [{ name: 'r', match: {}, scope: 'cluster' }] }, 'alarms.0.scope', /expected one of "auto"\|"node"\|"instance"/],
    ['rule without name', { version: 1, alarms: [{ match: {} }] }, 'alarms.0.name', /expected string/],
    ['rule without match', { version: 1, alarms: [{ name: 'r' }] }, 'alarms.0.match', /expected object/],
    ['duplicate rule names', { version: 1, alarms: [{ name: 'r', match: {} }, { name: 'r', match: {} }] }, 'alarms.1.name', /used twice/],
    ['empty metric list', { version: 1, alarms: [{ name: 'r', match: { metrics: [] } }] }, 'alarms.0.match.metrics', /at least one metric/],
    ['bad format', { version: 1, alarms: [{ name: 'r', match: { formats: ['json'] } }] }, 'alarms.0.match.formats.0', /"classic"\|"templated"/],
    ['rule trying to lift dry run', { version: 1, alarms: [{ name: 'r', match: {}, dryRun: false }] }, 'alarms.0.dryRun', /can only turn dry run on/],
    ['negative cooldown', { version: 1, guard: { cooldownSeconds: -1 } }, 'guard.cooldownSeconds', /Too small/],
    ['fractional cooldown', { version: 1, guard: { cooldownSeconds: 1.5 } }, 'guard.cooldownSeconds', /Expected a whole number/],
    ['breaker of zero', { version: 1, guard: { maxKillsPerHour: 0 } }, 'guard.maxKillsPerHour', /Too small/],
    ['failOpen as a string', { version: 1, guard: { failOpen: 'no' } }, 'guard.failOpen', /expected boolean/],
    ['job wait beyond the function limit', { version: 1, jobs: { waitSeconds: 901 } }, 'jobs.waitSeconds', /Too big/],
    ['instance name instead of id', { version: 1, instances: { deny: ['prod-cache'] } }, 'instances.deny.0', /instance names are not accepted/],
    ['upper-case instance id', { version: 1, instances: { allow: [INSTANCE_A.toUpperCase()] } }, 'instances.allow.0', /lower-case UUID/],
    ['glob in a schedule target', { version: 1, schedules: { n: { targets: [{ instance: '5e2b*', nodes: 'all' }] } } }, 'schedules.n.targets.0.instance', /DCS instance id/],
    ['schedule without targets', { version: 1, schedules: { n: { targets: [] } } }, 'schedules.n.targets', /at least one target/],
    ['bad node id', { version: 1, schedules: { n: { targets: [{ instance: INSTANCE_A, nodes: ['ok', 'bad id'] }] } } }, 'schedules.n.targets.0.nodes.1', /node id/],
    ['node listed twice', { version: 1, schedules: { n: { targets: [{ instance: INSTANCE_A, nodes: ['a', 'a'] }] } } }, 'schedules.n.targets.0.nodes', /listed twice/],
    ['nodes neither all nor list', { version: 1, schedules: { n: { targets: [{ instance: INSTANCE_A, nodes: 'some' }] } } }, 'schedules.n.targets.0.nodes', /"all" or a list/],
    ['bad schedule name', { version: 1, schedules: { 'night shift': { targets: [{ instance: INSTANCE_A, nodes: 'all' }] } } }, 'schedules.night shift', /schedule name/],
  ])('%s is refused at its path', (_what, input, path, message) => {
    const [gotPath, gotMessage] = firstProblem(input);
    expect(gotPath).toBe(path);
    expect(gotMessage).toMatch(message);
  });

  test('instance patterns: ids, "*" and globs of ids are accepted', () => {
    const policy = valid(`version: 1\ninstances: {allow: ["*", "${INSTANCE_A}", "5e2b1c9a-*", "????????-7f3d-*"]}`);
    expect(policy.instances.allow).toHaveLength(4);
  });

  test('a "$schema" reference for editors is allowed in JSON policies', () => {
    expect(valid('{"$schema": "./policy.schema.json", "version": 1}').version).toBe(1);
  });

  test('the exported schema and the parser agree', () => {
    expect(PolicySchema.safeParse({ version: 1 }).success).toBe(true);
    expect(PolicySchema.safeParse({ version: 1, extra: true }).success).toBe(false);
  });
});
