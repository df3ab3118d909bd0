/**
 * The local runner, driven as a user would: `dcs-session-guard serve` in its own process, the
 * curl command it prints replayed over real HTTP, the kill checked at the emulator, Ctrl-C.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from '../support/bundle';
import { redisServerMissing } from '../support/redis-server';
import { main } from '../../bin/dcs-session-guard';
import type { Layout } from '../../dev/runner/layout';
import { ALARMED_NODE, descendants, getJson, isRunning, postBody, SAMPLES, ServeProcess, waitUntilGone } from '../cli/support';

const INSTANCE = '5e2b1c9a-7f3d-4d2e-9b8a-1c2d3e4f5a6b';
/** Another instance of the demo seed (a proxy cluster). */
const OTHER_INSTANCE = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
const KILL_PATH = `/v2/0b8f4a2e5c6d47e1a9b3c8d7e6f5a4b3/instances/${INSTANCE}/clients/kill-all`;

/** The printed "send the sample alarm" curl command, taken apart: what a user pastes is what we send. */
async function printedAlarmCommand(serve: ServeProcess): Promise<{ url: string; headers: Record<string, string>; file: string }> {
  const m = await serve.waitFor(/^ {2}curl -s -X POST (\S+\/cloudeye) -H '([^']+)' -H '([^']+)' --data-binary @(\S+)$/m);
  const header = (h: string): [string, string] => {
    const i = h.indexOf(':');
    return [h.slice(0, i).trim(), h.slice(i + 1).trim()];
  };
  expect(path.isAbsolute(m[4]!)).toBe(true); // pasted from any folder, it still finds the file
  return { url: m[1]!, headers: Object.fromEntries([header(m[2]!), header(m[3]!)]), file: m[4]! };
}

/** Runs a printed command line with the shell, as a user pastes it, from `cwd`. */
function paste(command: string, cwd: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('sh', ['-c', command], { cwd, encoding: 'utf8' }, (error, stdout, stderr) => (error ? reject(new Error(`${command}: ${error.message} ${stderr}`)) : resolve(stdout))),
  );
}

describe('dcs-session-guard serve (npm start)', () => {
  const started: ServeProcess[] = [];
  const serve = (args: string[] = [], env: Record<string, string> = {}) => {
    const s = ServeProcess.start(args, env);
    started.push(s);
    return s;
  };
  afterEach(() => started.splice(0).forEach((s) => s.kill()));

  it('the printed curl command kills the alarmed node at the emulator, audits it, and Ctrl-C stops every process it started', async () => {
    const runner = serve();
    const gateway = await runner.ready();
    const emulatorUrl = (await runner.waitFor(/embedded emulator (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
    const realRedis = redisServerMissing() === null;
    if (realRedis) expect(runner.stdout).toContain('one real redis-server per node');
    else console.warn('redis-server missing: the runner demo runs on simulated sessions');

    const command = await printedAlarmCommand(runner);
    expect(command.url).toBe(`${gateway}/cloudeye`);
    expect(fs.existsSync(command.file)).toBe(true);
    const res = await postBody(command.url, fs.readFileSync(command.file), command.headers);

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const [decision] = res.body.results;
    expect(decision).toMatchObject({ type: 'audit', decision: 'executed', target: { instanceId: INSTANCE, nodeId: ALARMED_NODE, killAllNodes: false } });

    // The kill, as the emulator received it: through the runner's endpoint and the emulator's control API.
    const kills = await getJson(`${gateway}/kills`);
    expect(kills.body.kills).toHaveLength(1);
    expect(kills.body.kills[0]).toMatchObject({ path: KILL_PATH, body: { node_id: ALARMED_NODE, kill_all_nodes: false }, status: 200 });
    const recorded = await getJson(`${emulatorUrl}/__emulator/requests`);
    expect(recorded.body.requests.filter((r: any) => r.operation === 'hangUpKillAllClients')).toHaveLength(1);

    // The audit line: printed by the runner, and kept for GET /audit.
    await runner.waitFor(/^\[alarm\] AUDIT executed .*eb4debb56ba8d632dae03afc167a8f9b/m);
    const audit = await getJson(`${gateway}/audit`);
    expect(audit.body.audit).toEqual([expect.objectContaining({ decision: 'executed', requestId: decision.requestId, jobId: decision.jobId })]);

    // The decision's sinks (done before the answer): an SMN publish and a metric at the emulator,
    // the signed webhook delivery printed, and with Redis the entry the history command lists.
    const sinkCalls = recorded.body.requests.filter((r: any) => ['publishMessage', 'createMetricData'].includes(r.operation));
    expect(sinkCalls.map((r: any) => [r.operation, r.status])).toEqual([['publishMessage', 200], ['createMetricData', 201]]);
    await runner.waitFor(/^\[webhook\] POST \/dcs-guard \(signed, X-Signature\) executed: /m);
    if (realRedis) {
      const historyUrl = (await runner.waitFor(/dcs-session-guard history --redis-url (redis:\/\/[\d.:]+)/))[1]!;
      const listed: string[] = [];
      const io = { out: (t: string) => void listed.push(t), err: (t: string) => void listed.push(t), env: {}, cwd: ROOT, layout: {} as Layout };
      expect(await main(['history', '--json', '--redis-url', historyUrl], io)).toBe(0);
      expect(listed.map((l) => JSON.parse(l).requestId)).toEqual([decision.requestId]);
    }

    // With real Redis nodes, the demo clients connected to that node were dropped by the kill.
    if (realRedis) {
      for (let i = 1; i <= 5; i++) await runner.waitFor(new RegExp(`demo client demo-app-1-${i}: connection to node ${ALARMED_NODE} closed by the server`));
    }

    // The nightly schedule right after: alarm and cron share one guard store, as in a deployment
    // with GUARD_REDIS_URL, so the instance whose node was just killed is cooling down.
    const timer = await postBody(`${gateway}/timer/nightly`, '');
    if (realRedis) {
      expect(runner.stdout).toMatch(/Guard store +local redis-server 127\.0\.0\.1:\d+, shared by alarm and cron/);
      expect(timer.body.results).toEqual([expect.objectContaining({ decision: 'skipped_cooldown', guard: expect.objectContaining({ scope: 'node' }) })]);
      expect((await getJson(`${gateway}/kills`)).body.kills).toHaveLength(1);
    } else {
      expect(runner.stdout).toContain('alarm and cron do NOT share dedup, cooldowns or the breaker (redis-server is not on PATH');
    }

    const children = descendants(runner.child.pid!);
    expect(children.length).toBeGreaterThanOrEqual(2); // at least the two function containers
    expect(await runner.interrupt()).toBe(0);
    expect(runner.stdout).toContain('stopped.');
    await waitUntilGone(children); // fails by timeout if any process outlives the runner
    expect(children.filter(isRunning)).toEqual([]);
  });

  it('the precision walkthrough: /timer/idle-sweep closes the idle demo clients, the busy ones keep running', async () => {
    if (redisServerMissing() !== null) return; // needs the real demo connections (the suite's skip summary says why)
    const runner = serve();
    const gateway = await runner.ready();
    expect(runner.stdout).toMatch(/curl -s -X POST \S+\/demo-clients; sleep 6; curl -s -X POST \S+\/timer\/idle-sweep/);
    await new Promise((r) => setTimeout(r, 6000)); // the demo-app clients have been idle for 5 s; demo-busy PING twice a second
    const res = await postBody(`${gateway}/timer/idle-sweep`, '');
    const [record] = res.body.results;
    expect(record).toMatchObject({ decision: 'executed', action: { kind: 'kill-matching', nodes: [{ nodeId: ALARMED_NODE, killed: 5 }] } });
    expect(record.action.killed.map((k: { name: string }) => k.name).sort()).toEqual([1, 2, 3, 4, 5].map((i) => `demo-app-1-${i}`));
    for (let i = 1; i <= 5; i++) await runner.waitFor(new RegExp(`demo client demo-app-1-${i}: connection to node ${ALARMED_NODE} closed by the server`));
    expect(runner.stdout).not.toMatch(/demo client demo-busy-/);
    expect((await getJson(`${gateway}/kills`)).body.kills).toHaveLength(0); // no kill-all
    expect(await runner.interrupt()).toBe(0);
  });

  it('the printed commands work pasted in another folder; GUARD_POLICY is honoured and the banner describes that policy', async () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'dsg-elsewhere-'));
    const runner = serve([], { GUARD_POLICY: path.join(ROOT, 'deploy', 'policy.yaml') });
    const gateway = await runner.ready();
    // The packaged policy: a dry run with one rule and no schedule. The banner promises no kill and no nightly run.
    expect(runner.stdout).toMatch(/Policy +deploy\/policy\.yaml \(GUARD_POLICY; dryRun: true, decides and audits only\)/);
    expect(runner.stdout).toContain('with this policy: a dry run, because the policy says dryRun: true: decided and audited, nothing killed');
    expect(runner.stdout).toContain('This policy has no schedules');
    expect(runner.stdout).not.toContain('/timer/nightly');
    expect(runner.stdout).not.toContain('drops them all');
    expect(runner.stdout).toContain('This policy does not drop them on the sample alarm (a dry run');

    const printed = runner.stdout.split('\n').filter((l) => l.startsWith('  curl ')).map((l) => l.trim());
    const sendAlarm = printed.find((l) => l.includes('/cloudeye'))!;
    const answer = JSON.parse(await paste(sendAlarm, elsewhere));
    expect(answer.results).toEqual([expect.objectContaining({ decision: 'dry_run', rule: 'connection-pressure' })]);
    const viaSmn = JSON.parse(await paste(printed.find((l) => l.includes('/smn'))!, elsewhere));
    expect(viaSmn.results).toEqual([expect.objectContaining({ trigger: 'alarm', decision: 'dry_run' })]);
    expect((await getJson(`${gateway}/kills`)).body.kills).toEqual([]);
    expect(await runner.interrupt()).toBe(0);
    fs.rmSync(elsewhere, { recursive: true, force: true });
  });

  it('turns each route into its FunctionGraph event: SMN trigger, timer, APIG answers passed through', async () => {
    const runner = serve(['--no-redis']);
    const gateway = await runner.ready();
    expect(runner.stdout).toContain('simulated sessions (--no-redis)');

    // The alarm function: the webhook twice with the same SMN message id (the second is a redelivery, dropped)...
    const sample = fs.readFileSync(path.join(SAMPLES, 'node-alarm.smn-http.json'));
    const json = { 'content-type': 'application/json' };
    expect((await postBody(`${gateway}/cloudeye`, sample, json)).body.results[0].decision).toBe('executed');
    expect((await postBody(`${gateway}/cloudeye`, sample, json)).body.results[0].decision).toBe('skipped_duplicate');

    // ...the handler's APIG answer becomes the HTTP answer: a form post is refused with 415...
    const refused = await postBody(`${gateway}/cloudeye`, sample, { 'content-type': 'application/x-www-form-urlencoded' });
    expect(refused.status).toBe(415);
    expect(refused.body.results[0].decision).toBe('rejected');

    // ...and the SMN trigger wraps whatever alarm message is posted (here an instance alarm on another instance).
    const message = JSON.parse(fs.readFileSync(path.join(SAMPLES, 'instance-alarm.message.json'), 'utf8'));
    message.dimension = `dcs_instance_id:${OTHER_INSTANCE}`;
    message.template_variable.ResourceId = OTHER_INSTANCE;
    const smn = await postBody(`${gateway}/smn`, JSON.stringify(message));
    expect(smn.status).toBe(200);
    expect(smn.body.results).toEqual([
      expect.objectContaining({ trigger: 'alarm', decision: 'executed', target: expect.objectContaining({ instanceId: OTHER_INSTANCE, killAllNodes: true }) }),
    ]);

    // The cron function: the nightly schedule of the demo policy.
    const timer = await postBody(`${gateway}/timer/nightly`, '');
    expect(timer.status).toBe(200);
    expect(timer.body.results).toEqual([
      expect.objectContaining({ trigger: 'timer', source: expect.objectContaining({ schedule: 'nightly' }), target: expect.objectContaining({ instanceId: INSTANCE, killAllNodes: true }) }),
    ]);

    // With redis-server, both functions share one guard store (and the history): the node kill
    // a moment ago cools the nightly instance-wide target. Without it, each container has its own.
    const sharedGuard = redisServerMissing() === null;
    expect(timer.body.results[0].decision).toBe(sharedGuard ? 'skipped_cooldown' : 'executed');
    const kills = await getJson(`${gateway}/kills`);
    const nightlyKill = sharedGuard ? [] : [{ kill_all_nodes: true }];
    expect(kills.body.kills.map((k: any) => k.body)).toEqual([{ node_id: ALARMED_NODE, kill_all_nodes: false }, { kill_all_nodes: true }, ...nightlyKill]);
    expect(kills.body.kills[1].path).toContain(OTHER_INSTANCE);
    const audit = await getJson(`${gateway}/audit`);
    expect(audit.body.audit.map((r: any) => r.decision)).toEqual(['executed', 'skipped_duplicate', 'rejected', 'executed', sharedGuard ? 'skipped_cooldown' : 'executed']);

    expect((await getJson(`${gateway}/nowhere`)).status).toBe(404);
    const wrongMethod = await fetch(`${gateway}/cloudeye`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    expect(await runner.interrupt()).toBe(0);
  });

  it('a terminal Ctrl-C (SIGINT to the whole process group) also stops cleanly with exit 0', async () => {
    const runner = ServeProcess.start([], {}, { ownGroup: true });
    started.push(runner);
    await runner.ready();
    const children = descendants(runner.child.pid!);
    expect(await runner.interruptGroup()).toBe(0);
    expect(runner.stdout).toContain('stopped.');
    expect(runner.stderr).toBe('');
    await waitUntilGone(children);
    expect(children.filter(isRunning)).toEqual([]);
  });

  it('npm start: the package script\'s shell hands over to the runner, so a clean Ctrl-C exits 0 (not 130)', async () => {
    const runner = ServeProcess.npmStart();
    started.push(runner);
    await runner.ready();
    expect(await runner.interruptGroup()).toBe(0);
    expect(runner.stdout).toContain('stopped.');
  });

  it('a Ctrl-C while it is still starting stops it cleanly too (exit 0), leaving no process', async () => {
    const runner = ServeProcess.start(['--no-redis'], {}, { ownGroup: true });
    started.push(runner);
    const pid = runner.child.pid!;
    // Its first child (a function container) proves the start is under way; signal then.
    const seen = new Set<number>();
    while (seen.size === 0) {
      descendants(pid).forEach((p) => seen.add(p));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    process.kill(-pid, 'SIGINT');
    const exited = runner.exitCode();
    // Keep collecting: whatever it started after the signal must be gone as well.
    while (runner.child.exitCode === null && runner.child.signalCode === null) {
      descendants(pid).forEach((p) => seen.add(p));
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5))]);
    }
    expect(await exited).toBe(0);
    expect(runner.stdout).toMatch(/SIGINT.*\n(.*\n)*stopped\.|SIGINT while starting: stopped\./);
    expect(runner.stderr).toBe('');
    await waitUntilGone([...seen]);
  });

  it('refuses to start on a policy that does not load, naming its line and path (exit 1)', async () => {
    const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'dsg-serve-policy-'));
    const policy = path.join(dir, 'broken.yaml');
    fs.writeFileSync(policy, 'version: 1\nalarms:\n  - name: x\n    match: {}\n    scope: everywhere\n');
    const runner = serve(['--no-redis', '--policy', policy]);
    expect(await runner.exitCode()).toBe(1);
    expect(runner.stderr).toContain(`${policy}:5:12 at alarms[0].scope`);
    expect(runner.stdout).not.toContain('Ready:');
  });

  it('says which port is taken instead of a stack trace (exit 3)', async () => {
    const first = serve(['--no-redis']);
    const port = new URL(await first.ready()).port;
    const second = ServeProcess.start(['--no-redis', '--port', port]);
    started.push(second);
    expect(await second.exitCode()).toBe(3);
    expect(second.stderr).toContain(`port ${port} on 127.0.0.1 is in use`);
    expect(await first.interrupt()).toBe(0);
  });
});
