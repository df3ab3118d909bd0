/** `invoke`: runs the built handler on an event file with the current environment; prints decisions; exit codes. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../support/bundle';
import { ALARMED_NODE, CLI, DEMO_POLICY, runCli, SAMPLES, tempDir, useEmulatedApi } from './support';

const INSTANCE = '5e2b1c9a-7f3d-4d2e-9b8a-1c2d3e4f5a6b';
const sample = (name: string) => path.join(SAMPLES, name);

describe('dcs-session-guard invoke', () => {
  const emulated = useEmulatedApi();
  const { env } = emulated;
  const kills = () => emulated.emulator.requests.filter((r) => r.operation === 'hangUpKillAllClients');

  it('runs the alarm handler on an SMN trigger event and prints the decision table (exit 0)', async () => {
    const r = await runCli(['invoke', 'alarm', '--event', sample('node-alarm.smn-trigger.json')], { env: env() });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('alarm: 1 decision');
    expect(lines[1]).toMatch(/^DECISION\s+TARGET\s+REASON$/);
    expect(lines[2]).toMatch(new RegExp(`^executed\\s+${INSTANCE} node ${ALARMED_NODE}\\s+Killed the client sessions`));
    expect(kills().map((k) => k.body)).toEqual([{ node_id: ALARMED_NODE, kill_all_nodes: false }]);
  });

  it('--json prints the results array, and the function output goes to stderr', async () => {
    const r = await runCli(['invoke', 'cron', '--event', sample('timer.nightly.json'), '--json'], { env: env() });
    expect(r.code).toBe(0);
    const results = JSON.parse(r.stdout);
    expect(results).toEqual([expect.objectContaining({ type: 'audit', trigger: 'timer', decision: 'executed', target: expect.objectContaining({ instanceId: INSTANCE, killAllNodes: true }) })]);
    const printed = r.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    expect(printed.filter((l) => l.type === 'audit')).toEqual(results); // the audit line is the same record
    expect(kills()).toHaveLength(1);
  });

  it('a rejected event exits 1 with the reason (the forged sample: its signature is a placeholder)', async () => {
    const r = await runCli(['invoke', 'alarm', '--event', sample('forged.apig.json')], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^alarm \(HTTP 401\): 1 decision$/m);
    expect(r.stdout).toMatch(/^rejected\s+-\s+signature: /m);
    expect(emulated.emulator.requests).toEqual([]);
  });

  it('a kill job that ends FAIL exits 1: the sessions were not killed', async () => {
    emulated.emulator.faults.add({ jobFail: 'node busy', times: 1 });
    const r = await runCli(['invoke', 'alarm', '--event', sample('node-alarm.smn-trigger.json'), '--json'], { env: env() });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual([expect.objectContaining({ job: { status: 'FAIL', failReason: 'node busy' } })]);
  });

  it('a kill-all the API refuses fails the decision (exit 1)', async () => {
    emulated.emulator.faults.add({ operation: 'hangUpKillAllClients', status: 403, errorCode: 'DCS.4030', errorMsg: 'no permission' });
    const r = await runCli(['invoke', 'alarm', '--event', sample('node-alarm.smn-trigger.json')], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^failed\s/m);
  });

  it('a guard store that cannot be reached fails closed, and the table says why (the cause, not only --json)', async () => {
    const r = await runCli(['invoke', 'alarm', '--event', sample('node-alarm.smn-trigger.json')], { env: env({ GUARD_REDIS_URL: 'redis://127.0.0.1:1' }) });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^failed\s.*guard store is unavailable/m);
    expect(r.stdout).toMatch(/^\s+error GuardStoreUnavailable, guard store: ECONNREFUSED$/m);
    expect(kills()).toEqual([]);
  });

  it('--policy replaces GUARD_POLICY: a dry-run policy audits without killing (exit 0)', async () => {
    const dir = tempDir('dsg-invoke-');
    const policy = path.join(dir, 'dry.yaml');
    fs.writeFileSync(policy, fs.readFileSync(DEMO_POLICY, 'utf8').replace(/^dryRun: false$/m, 'dryRun: true'));
    const r = await runCli(['invoke', 'alarm', '--event', sample('node-alarm.smn-trigger.json'), '--policy', policy], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^dry_run\s/m);
    expect(kills()).toEqual([]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a policy that does not load fails the decision (exit 1)', async () => {
    const r = await runCli(['invoke', 'alarm', '--event', sample('node-alarm.smn-trigger.json'), '--policy', path.join(ROOT, 'package.json')], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^failed\s/m);
    expect(kills()).toEqual([]);
  });

  it('without built bundles it cannot run (exit 3) and says to build', async () => {
    // The CLI alone, in a tree where nothing else was built.
    const root = tempDir('dsg-unbuilt-');
    fs.mkdirSync(path.join(root, 'dist'));
    const cli = path.join(root, 'dist', 'cli.js');
    fs.copyFileSync(CLI, cli);
    const r = await runCli(['invoke', 'alarm', '--event', sample('node-alarm.smn-trigger.json')], { env: env(), cli });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`${path.join(root, 'dist', 'alarm', 'index.js')} does not exist: build first (npm run build)`);
    fs.rmSync(root, { recursive: true, force: true });
  });
});
