/**
 * `deploy` / `undeploy` end to end: the built CLI (dist/cli.js) as a spawned process, the
 * official FunctionGraph SDK signing real HTTP requests, the FunctionGraph emulator checking
 * every signature and field rule, and its state read back after each step.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startFgEmulator, type FgEmulator } from '../../dev/fg-emulator/server';
import { runCli } from '../cli/support';
import { DEMO, INSTANCES, PROJECT } from '../support/scenario';

// Each step spawns the CLI (a Node start, two zips, signed HTTP): minutes in all on a loaded 2-core machine.
jest.setTimeout(180_000);

const TOPIC = `urn:smn:cn-north-4:${PROJECT}:dcs-alarms`;

const POLICY = `version: 1
dryRun: false
alarms:
  - name: connection-pressure
    match: { metrics: [connections_usage] }
schedules:
  nightly:
    targets: [{ instance: ${INSTANCES.shop}, nodes: all }]
`;

function deployFile(timers: string, extra = ''): string {
  return `version: 1
region: cn-north-4
projectId: ${PROJECT}
agency: dcs-session-guard
policy: policy.yaml
environment:
  SMN_MAX_AGE_SECONDS: "600"
${extra}triggers:
  smn: { topicUrn: ${TOPIC} }
  timers:
${timers}
`;
}

describe('deploy against the FunctionGraph emulator', () => {
  let fg: FgEmulator;
  let dir: string;
  const env = () => ({ FG_ENDPOINT: fg.url, HUAWEICLOUD_SDK_AK: DEMO.ak, HUAWEICLOUD_SDK_SK: DEMO.sk });
  const cli = (...args: string[]) => runCli(args, { env: env(), cwd: dir });
  const write = (name: string, text: string) => fs.writeFileSync(path.join(dir, name), text);
  const fn = (name: string) => fg.state.snapshot().functions.find((f) => f.func_name === name);
  const writes = () => fg.requests.filter((r) => r.method !== 'GET');

  beforeAll(async () => {
    fg = await startFgEmulator({ credentials: [{ ak: DEMO.ak, sk: DEMO.sk, projectId: PROJECT }] });
  });
  afterAll(() => fg.close());
  beforeEach(() => {
    fg.reset();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsg-deploy-'));
    write('policy.yaml', POLICY);
    write('deploy.yaml', deployFile('    nightly: { cron: "0 0 3 * * *" }'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('--plan prints what would be created, says the functions will not kill, and changes nothing', async () => {
    const result = await cli('deploy', 'deploy.yaml', '--plan');
    expect(result.code).toBe(0);
    // doctor's configuration checks ran first: nothing fails, the in-memory guard is worth a warning.
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^check: warn guard.config: no GUARD_REDIS_URL/)]);
    expect(result.stdout).toMatch(/^Safety: the deployed functions will NOT kill \(GUARD_DRY_RUN=true\)/);
    expect(result.stdout).toContain('+ create function dcs-session-guard-alarm');
    expect(result.stdout).toContain(`+ create trigger SMN ${TOPIC}`);
    expect(result.stdout).toContain('+ create trigger TIMER nightly (Cron 0 0 3 * * *)');
    expect(writes()).toEqual([]);
    expect(fg.state.snapshot().functions).toEqual([]);
    // Every call was signed and accepted.
    expect(fg.requests.length).toBeGreaterThan(0);
    expect(fg.requests.every((r) => r.authOk)).toBe(true);
  });

  it('deploys both functions in dry run with their triggers; a second deploy does nothing and says so', async () => {
    const first = await cli('deploy', 'deploy.yaml');
    expect(first.code).toBe(0);
    const alarm = fn('dcs-session-guard-alarm')!;
    const cron = fn('dcs-session-guard-cron')!;
    expect(JSON.parse(alarm.user_data!)).toEqual({
      DCS_REGION: 'cn-north-4',
      GUARD_DRY_RUN: 'true',
      HUAWEICLOUD_SDK_PROJECT_ID: PROJECT,
      SMN_MAX_AGE_SECONDS: '600',
      SMN_TOPIC_URNS: TOPIC,
    });
    expect(alarm).toMatchObject({ runtime: 'Node.js20.15', handler: 'index.handler', memory_size: 256, timeout: 60, xrole: 'dcs-session-guard', code_type: 'zip' });
    expect(alarm.triggers.map((t) => [t.trigger_type_code, t.event_data])).toEqual([['SMN', { topic_urn: TOPIC }]]);
    expect(cron.triggers.map((t) => [t.trigger_type_code, t.event_data])).toEqual([
      ['TIMER', { name: 'nightly', schedule_type: 'Cron', schedule: '0 0 3 * * *', user_event: '{"schedule":"nightly"}' }],
    ]);

    fg.requests.length = 0;
    const second = await cli('deploy', 'deploy.yaml');
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('= dcs-session-guard-alarm: up to date');
    expect(second.stdout).toContain('Nothing to do: the account matches the deploy file.');
    expect(writes()).toEqual([]);
  });

  it('--arm arms the functions and the plan says they WILL kill; a changed setting updates config only, not code', async () => {
    expect((await cli('deploy', 'deploy.yaml')).code).toBe(0);
    const digest = fn('dcs-session-guard-alarm')!.digest;
    const plan = await cli('deploy', 'deploy.yaml', '--plan', '--arm');
    expect(plan.stdout).toMatch(/^Safety: the deployed functions WILL KILL client sessions/);
    expect(plan.stdout).toContain('environment.GUARD_DRY_RUN: "true" -> "false"');
    expect(plan.stdout).toContain('code: unchanged (same hash), not uploaded');
    fg.requests.length = 0;
    expect((await cli('deploy', 'deploy.yaml', '--arm')).code).toBe(0);
    expect(writes().map((r) => r.operation)).toEqual(['updateFunctionConfig', 'updateFunctionConfig']);
    expect(JSON.parse(fn('dcs-session-guard-cron')!.user_data!).GUARD_DRY_RUN).toBe('false');
    // Without --arm or --disarm, the next deploy keeps what is deployed.
    fg.requests.length = 0;
    expect((await cli('deploy', 'deploy.yaml')).stdout).toContain('Nothing to do');
    expect(fn('dcs-session-guard-alarm')!.digest).toBe(digest);
  });

  it('a changed policy uploads new code (hash differs)', async () => {
    expect((await cli('deploy', 'deploy.yaml')).code).toBe(0);
    write('policy.yaml', POLICY.replace('dryRun: false', 'dryRun: true'));
    fg.requests.length = 0;
    const result = await cli('deploy', 'deploy.yaml');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/code: changed \(sha512 \w+ -> \w+\)/);
    expect(writes().map((r) => r.operation)).toEqual(['updateFunctionCode', 'updateFunctionCode']);
  });

  it('a changed schedule deletes the timer and creates it again (a timer cannot be updated)', async () => {
    expect((await cli('deploy', 'deploy.yaml')).code).toBe(0);
    const before = fn('dcs-session-guard-cron')!.triggers[0]!.trigger_id;
    write('deploy.yaml', deployFile('    nightly: { cron: "0 30 2 * * *" }'));
    fg.requests.length = 0;
    const result = await cli('deploy', 'deploy.yaml');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('- delete trigger TIMER nightly (Cron 0 0 3 * * *)');
    expect(result.stdout).toContain('+ create trigger TIMER nightly (Cron 0 30 2 * * *)');
    expect(writes().map((r) => r.operation)).toEqual(['deleteFunctionTrigger', 'createFunctionTrigger']);
    const after = fn('dcs-session-guard-cron')!.triggers;
    expect(after).toHaveLength(1);
    expect(after[0]!.trigger_id).not.toBe(before);
    expect(after[0]!.event_data.schedule).toBe('0 30 2 * * *');
  });

  it('a partial failure stops with the operation, FSS code and fix; the next deploy repairs it', async () => {
    fg.faults.add({ operation: 'createFunctionTrigger', status: 403, errorCode: 'FSS.0403', errorMsg: 'Forbidden.', times: 1, pathPattern: 'cron' });
    const failed = await cli('deploy', 'deploy.yaml');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('createFunctionTrigger failed (HTTP 403 FSS.0403)');
    expect(failed.stderr).toContain('IAM action functiongraph:trigger:create');
    expect(fn('dcs-session-guard-cron')!.triggers).toEqual([]);

    fg.requests.length = 0;
    const repaired = await cli('deploy', 'deploy.yaml');
    expect(repaired.code).toBe(0);
    expect(repaired.stdout).toContain('= dcs-session-guard-alarm: up to date');
    expect(writes().map((r) => r.operation)).toEqual(['createFunctionTrigger']);
    expect(fn('dcs-session-guard-cron')!.triggers).toHaveLength(1);
  });

  it('undeploy --plan changes nothing; undeploy removes both functions and their triggers, and only those', async () => {
    expect((await cli('deploy', 'deploy.yaml')).code).toBe(0);
    const plan = await cli('undeploy', 'deploy.yaml', '--plan');
    expect(plan.stdout).toContain('- delete function dcs-session-guard-alarm and its triggers');
    expect(fg.state.snapshot().functions).toHaveLength(2);
    const result = await cli('undeploy', 'deploy.yaml');
    expect(result.code).toBe(0);
    expect(fg.state.snapshot().functions).toEqual([]);
    expect((await cli('undeploy', 'deploy.yaml')).stdout).toContain('= dcs-session-guard-alarm: not there');
  });

  it('leaves alone a function of the same name that deploy did not create', async () => {
    // Someone's own function, created by hand (no ownership mark in its description).
    expect((await cli('deploy', 'deploy.yaml')).code).toBe(0);
    const alarm = fn('dcs-session-guard-alarm')!;
    const record = fg.state.find(PROJECT, 'default', alarm.func_name)!;
    record.description = 'hand-made';
    fg.requests.length = 0;
    const deploy = await cli('deploy', 'deploy.yaml', '--arm');
    expect(deploy.code).toBe(1);
    expect(deploy.stdout).toContain('! dcs-session-guard-alarm: exists but was not created by dcs-session-guard deploy');
    expect(writes().filter((r) => r.path.includes('dcs-session-guard-alarm'))).toEqual([]);
    const undeploy = await cli('undeploy', 'deploy.yaml');
    expect(undeploy.stdout).toContain('! dcs-session-guard-alarm: exists but was not created');
    expect(fn('dcs-session-guard-alarm')).toBeDefined();
  });

  it('refuses a deploy file with a line:column error and sends nothing', async () => {
    write('deploy.yaml', deployFile('    weekly: { cron: "0 0 3 * *" }'));
    const result = await cli('deploy', 'deploy.yaml', '--plan');
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/deploy file .*deploy\.yaml:\d+:\d+ at triggers\.timers\.weekly\.cron: a Cron schedule has 6 fields/);
    expect(fg.requests).toEqual([]);
  });

  it('checks the policy schedules against the timers, and refuses secrets in the environment', async () => {
    write('deploy.yaml', deployFile('    {}', '').replace('  timers:\n    {}', '  timers: {}'));
    const missing = await cli('deploy', 'deploy.yaml', '--plan');
    expect(missing.stderr).toContain('The policy\'s schedule "nightly" needs a timer here');
    write('deploy.yaml', deployFile('    nightly: { cron: "0 0 3 * * *" }').replace('  SMN_MAX_AGE_SECONDS: "600"', '  HUAWEICLOUD_SDK_SK: oops'));
    const secret = await cli('deploy', 'deploy.yaml', '--plan');
    expect(secret.code).toBe(3);
    expect(secret.stderr).toMatch(/:\d+:\d+ at environment\.HUAWEICLOUD_SDK_SK: HUAWEICLOUD_SDK_SK is a secret/);
    expect(secret.stderr).not.toContain('oops');
    expect(fg.requests).toEqual([]);
  });

  it('runs doctor\'s configuration checks first: a setting the function would refuse stops the deploy', async () => {
    write('deploy.yaml', deployFile('    nightly: { cron: "0 0 3 * * *" }').replace('SMN_MAX_AGE_SECONDS: "600"', 'SMN_MAX_AGE_SECONDS: "ten"'));
    const result = await cli('deploy', 'deploy.yaml');
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('fail smn.config: Invalid SMN configuration: SMN_MAX_AGE_SECONDS');
    expect(fg.requests).toEqual([]);
  });

  it('names the missing credentials and sends nothing', async () => {
    const result = await runCli(['deploy', 'deploy.yaml'], { env: { FG_ENDPOINT: fg.url }, cwd: dir });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('HUAWEICLOUD_SDK_AK');
    expect(fg.requests).toEqual([]);
  });
});
