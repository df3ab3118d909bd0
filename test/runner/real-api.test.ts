/**
 * The runner pointed at "the real cloud" (DCS_ENDPOINT + credentials in the environment): no
 * embedded emulator, and a dry run unless --live. The real API is played by an emulator started
 * here, so the test can see exactly which DCS calls were made.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startEmulator, type Emulator } from '../../dev/emulator/server';
import { DEMO, PROJECT } from '../support/scenario';
import { ALARMED_NODE, DEMO_POLICY, getJson, postBody, SAMPLES, ServeProcess } from '../cli/support';

describe('serve against a DCS API named by the environment', () => {
  let api: Emulator;
  const started: ServeProcess[] = [];
  beforeAll(async () => {
    api = await startEmulator({ port: 0, jobDurationMs: 50 });
  });
  afterAll(() => api.close());
  beforeEach(() => api.reset());
  afterEach(() => started.splice(0).forEach((s) => s.kill()));

  const cloudEnv = () => ({
    DCS_ENDPOINT: api.url,
    HUAWEICLOUD_SDK_AK: DEMO.ak,
    HUAWEICLOUD_SDK_SK: DEMO.sk,
    HUAWEICLOUD_SDK_PROJECT_ID: PROJECT,
    GUARD_POLICY: DEMO_POLICY, // acts (dryRun: false): only GUARD_DRY_RUN stands between it and a kill
  });
  const serve = (args: string[]) => {
    const s = ServeProcess.start(args, cloudEnv());
    started.push(s);
    return s;
  };
  const sendSample = (gateway: string) =>
    postBody(`${gateway}/cloudeye`, fs.readFileSync(path.join(SAMPLES, 'node-alarm.smn-http.json')), { 'content-type': 'application/json' });
  const kills = () => api.requests.filter((r) => r.operation === 'hangUpKillAllClients');

  it('forces the dry run, says so loudly, and never calls kill-all', async () => {
    const runner = serve([]);
    const gateway = await runner.ready();
    expect(runner.stdout).toContain(`DCS API         ${api.url}`);
    expect(runner.stdout).toContain('REAL DCS API, DRY RUN: GUARD_DRY_RUN=true');
    expect(runner.stdout).not.toContain('embedded emulator');

    const res = await sendSample(gateway);
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([expect.objectContaining({ decision: 'dry_run', target: expect.objectContaining({ nodeId: ALARMED_NODE }) })]);
    expect(api.requests.length).toBeGreaterThan(0); // it did talk to this API (reads)...
    expect(kills()).toEqual([]); // ...but killed nothing
    expect((await getJson(`${gateway}/kills`)).status).toBe(404); // no embedded emulator to ask
    expect(await runner.interrupt()).toBe(0);
  });

  it('acts with --live', async () => {
    const runner = serve(['--live']);
    const gateway = await runner.ready();
    expect(runner.stdout).toContain('REAL DCS API, LIVE (--live): kill-all WILL be called');
    expect((await sendSample(gateway)).body.results[0].decision).toBe('executed');
    expect(kills().map((r) => r.body)).toEqual([{ node_id: ALARMED_NODE, kill_all_nodes: false }]);
    expect(await runner.interrupt()).toBe(0);
  });

  it('stops with exit 3 and names what is missing when the credentials are not set', async () => {
    const runner = ServeProcess.start([], { DCS_REGION: 'cn-north-4' });
    started.push(runner);
    expect(await runner.exitCode()).toBe(3);
    expect(runner.stderr).toContain('DCS_REGION is set');
    expect(runner.stderr).toContain('HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK');
    expect(runner.stderr).toContain('HUAWEICLOUD_SDK_PROJECT_ID');
  });
});
