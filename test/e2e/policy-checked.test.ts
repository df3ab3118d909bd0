/**
 * The built package with its build-checked policy (policy.checked.json), run
 * as FunctionGraph runs it: a fresh process per event, the bundle's folder
 * as unpacked. FunctionGraph's console lets users edit policy.yaml in place:
 * the checked file is then stale and the edited text is validated in full,
 * an invalid edit refused with its located message, a valid one obeyed.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEmulator, type Emulator } from '../../dev/emulator/server';
import { eventOf, functionEnv, type EventKind } from '../../bench/scenario';
import { loadPolicy } from '../../lib/policy';
import { ROOT } from '../support/bundle';
import { probeFresh } from '../support/fresh-probe';

describe('dist/alarm as packaged, its policy.yaml edited in place', () => {
  let emulator: Emulator;
  let dir: string;
  const policyFile = () => path.join(dir, 'policy.yaml');
  const packagedText = fs.readFileSync(path.join(ROOT, 'deploy', 'policy.yaml'), 'utf8');

  /** GUARD_POLICY blank: the policy packaged beside index.js, as deployed. */
  const run = (kind: EventKind) => probeFresh(path.join(dir, 'index.js'), eventOf(kind, `checked${kind}`), functionEnv(emulator.url, ''), `policy-checked ${kind}`);

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, jobDurationMs: 50 });
  });
  afterAll(() => emulator.close());
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsg-checked-'));
    fs.cpSync(path.join(ROOT, 'dist', 'alarm'), dir, { recursive: true });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('as built: the checked policy decides, nothing of zod or yaml is loaded', async () => {
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'policy.checked.json'), 'utf8')).source).toBe(fs.readFileSync(policyFile(), 'utf8'));
    const probe = await run('no_match');
    expect(probe.results.map((r) => r.decision)).toEqual(['skipped_no_rule']);
    expect(probe.loaded).toEqual(['index.js']);
  });

  it('a valid edit is obeyed: the edited text is validated in full and decides', async () => {
    fs.writeFileSync(policyFile(), packagedText.replace('metrics: [connections_usage,', 'metrics: [cpu_usage, connections_usage,'));
    const probe = await run('no_match');
    expect(probe.results).toEqual([expect.objectContaining({ rule: 'connection-pressure' })]);
    expect(probe.results[0]?.decision).not.toBe('skipped_no_rule');
    expect(probe.loaded).toEqual(expect.arrayContaining(['index.js', 'policy-schema.js', 'yaml.js']));
    // The packaged policy is a dry run: nothing was killed.
    expect(emulator.requests.map((r) => r.operation)).not.toContain('hangUpKillAllClients');
  });

  it('an invalid edit is refused with its message, the one `validate` gives, and nothing acts', async () => {
    fs.writeFileSync(policyFile(), packagedText.replace('cooldownSeconds: 900', 'cooldownSeconds: -5'));
    const expected = loadPolicy({ env: {}, defaultPath: policyFile() });
    if (expected.ok) throw new Error('the edit should be invalid');
    expect(expected.error.format()).toMatch(/^policy .*policy\.yaml:\d+:\d+ at guard\.cooldownSeconds: Too small/);
    const requests = emulator.requests.length;
    for (const kind of ['no_match', 'node_kill'] as const) {
      const probe = await run(kind);
      expect(probe.results).toEqual([expect.objectContaining({ decision: 'failed', reason: `Configuration error, no action taken: ${expected.error.format()}` })]);
    }
    expect(emulator.requests.length).toBe(requests);
  });

  it('a checked file edited by hand is not trusted: the policy file decides', async () => {
    const checkedFile = path.join(dir, 'policy.checked.json');
    const checked = JSON.parse(fs.readFileSync(checkedFile, 'utf8'));
    checked.policy.alarms[0].match.metrics.push('cpu_usage');
    fs.writeFileSync(checkedFile, JSON.stringify(checked, null, 2));
    const probe = await run('no_match');
    expect(probe.results.map((r) => r.decision)).toEqual(['skipped_no_rule']);
    expect(probe.loaded).toEqual(['index.js', 'policy-schema.js', 'yaml.js']);
  });
});
