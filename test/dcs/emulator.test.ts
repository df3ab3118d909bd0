/**
 * The DCS client against the DCS emulator (dev/emulator), which verifies
 * sdk-core's real SDK-HMAC-SHA256 signatures: accepted calls, refusals, faults,
 * and following kill jobs to SUCCESS / FAIL / the deadline.
 *
 * Emulator and client share one fake clock that moves only when someone
 * sleeps, so job progress is deterministic (no timed assertions).
 */
import { startEmulator, type Emulator } from '../../dev/emulator/server';
import { createDcsClient, type DcsClient, type DcsClientOptions } from '../../lib/dcs/client';
import { DcsCredentials } from '../../lib/dcs/credentials';
import { DcsError } from '../../lib/dcs/errors';
import { waitForJob } from '../../lib/dcs/jobs';

// From dev/emulator/seeds/demo.json.
const PROJECT = '0b8f4a2e5c6d47e1a9b3c8d7e6f5a4b3';
const OTHER_PROJECT = '477a784601d744e4ab9ab83986502d31';
const AK = 'DEMOACCESSKEYID00001';
const SK = 'DEMO-SECRET-KEY-not-a-real-secret-00001';
const CLUSTER = '5e2b1c9a-7f3d-4d2e-9b8a-1c2d3e4f5a6b';
const CLUSTER_NODE = 'eb4debb56ba8d632dae03afc167a8f9b';
const FROZEN = '8e9f0a1b-2c3d-4e4f-8a5b-6c7d8e9f0a1b';
const UNKNOWN = '00000000-0000-4000-8000-000000000000';
const JOB_DURATION_MS = 10_000;

let emulator: Emulator;
let clock = Date.now();
const now = () => clock;
const advance = async (ms: number) => {
  clock += ms;
};

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, now, jobDurationMs: JOB_DURATION_MS });
});
afterAll(async () => emulator.close());
beforeEach(() => emulator.reset());

function client(overrides: { sk?: string; projectId?: string; timeoutMs?: number } = {}, options: DcsClientOptions = {}): DcsClient {
  return createDcsClient(
    {
      endpoint: emulator.url,
      projectId: overrides.projectId ?? PROJECT,
      region: null,
      credentials: new DcsCredentials(AK, overrides.sk ?? SK, null, 'HUAWEICLOUD_SDK'),
      timeoutMs: overrides.timeoutMs ?? 2000,
    },
    { retryDeps: { sleep: advance, random: () => 0.5, now }, ...options },
  );
}

async function failure(promise: Promise<unknown>): Promise<DcsError> {
  const outcome = await promise.then(
    () => new Error('expected the call to fail'),
    (e: unknown) => e,
  );
  if (outcome instanceof DcsError) return outcome;
  throw outcome;
}

const killRequests = () => emulator.requests.filter((r) => r.operation === 'hangUpKillAllClients');

describe('signed requests', () => {
  test('are accepted: instance, nodes (with dimensions), scan then list', async () => {
    const c = client();
    const instance = await c.showInstance({ instanceId: CLUSTER });
    expect([instance.instance_id, instance.engine, instance.status, instance.cache_mode]).toEqual([CLUSTER, 'Redis', 'RUNNING', 'cluster']);

    const nodes = await c.showNodesInformation({ instanceId: CLUSTER });
    expect(nodes.total).toBe(nodes.nodes.length);
    const node = nodes.nodes.find((n) => n.node_id === CLUSTER_NODE);
    expect(node?.dimensions).toContainEqual({ name: 'dcs_cluster_redis_node', value: '3f1e2d3c4b5a69788796a5b4c3d2e1f0' });

    const scan = await c.scanClients({ instanceId: CLUSTER, body: { node_id: CLUSTER_NODE } });
    await advance(JOB_DURATION_MS);
    expect((await waitForJob(c, scan.job_id, now() + 5000, { now, sleep: advance, initialDelayMs: 100 })).status).toBe('SUCCESS');
    const list = await c.listClients({ instanceId: CLUSTER, nodeId: CLUSTER_NODE, limit: 2 });
    expect(list.count).toBeGreaterThan(0);
    expect(list.clients.length).toBeLessThanOrEqual(2);

    expect(emulator.requests.every((r) => r.authOk)).toBe(true);
  });

  test('a wrong SK is refused: unauthorized, never retried', async () => {
    const error = await failure(client({ sk: 'WRONG-SECRET-KEY-000000000000000000000' }).showInstance({ instanceId: CLUSTER }));
    expect(error.kind).toBe('unauthorized');
    expect([401, 403]).toContain(error.httpStatus);
    expect(emulator.requests).toHaveLength(1);
    expect(emulator.requests[0]!.authOk).toBe(false);
  });

  test('a project the credentials do not belong to is refused', async () => {
    const error = await failure(client({ projectId: OTHER_PROJECT }).showInstance({ instanceId: CLUSTER }));
    expect(error.kind).toBe('unauthorized');
  });

  test('an unknown instance is rejected 404; a FROZEN one DCS.4957 (kill-all sent once)', async () => {
    const c = client();
    const missing = await failure(c.showInstance({ instanceId: UNKNOWN }));
    expect([missing.kind, missing.httpStatus]).toEqual(['rejected', 404]);
    const frozen = await failure(c.hangUpKillAllClients({ instanceId: FROZEN, body: { kill_all_nodes: true } }));
    expect([frozen.kind, frozen.code, frozen.httpStatus]).toEqual(['rejected', 'DCS.4957', 400]);
    expect(frozen.requestId).toMatch(/\S/);
    expect(killRequests()).toHaveLength(1);
  });

  test('bad ids never reach the emulator', async () => {
    const c = client();
    await failure(c.hangUpKillAllClients({ instanceId: `${CLUSTER}/../../x`, body: { kill_all_nodes: true } }));
    await failure(c.showJobInfo({ jobId: '../instances' }));
    expect(emulator.requests).toHaveLength(0);
  });
});

describe('kill-all and its job', () => {
  test('kill-all → waitForJob follows INIT → RUNNING → SUCCESS', async () => {
    const c = client();
    const { job_id: jobId } = await c.hangUpKillAllClients({ instanceId: CLUSTER, body: { node_id: CLUSTER_NODE } });
    expect(killRequests()[0]!.body).toEqual({ node_id: CLUSTER_NODE });

    const seen: string[] = [];
    const tracking = { showJobInfo: async (...args: Parameters<DcsClient['showJobInfo']>) => {
      const job = await c.showJobInfo(...args);
      seen.push(job.status);
      return job;
    } };
    const result = await waitForJob(tracking, jobId, now() + 60_000, { now, sleep: advance, initialDelayMs: 1000, maxDelayMs: 4000 });
    expect(result.status).toBe('SUCCESS');
    expect(seen[0]).toBe('INIT');
    expect(seen).toContain('RUNNING');
    expect(result.polls).toBe(seen.length);
  });

  test('a job that fails comes back FAIL with its reason', async () => {
    emulator.faults.add({ operation: 'hangUpKillAllClients', jobFail: 'node is restarting' });
    const c = client();
    const { job_id: jobId } = await c.hangUpKillAllClients({ instanceId: CLUSTER, body: { kill_all_nodes: true } });
    const result = await waitForJob(c, jobId, now() + 60_000, { now, sleep: advance });
    expect(result).toMatchObject({ status: 'FAIL', failReason: 'node is restarting' });
  });

  test('a job still running at the deadline is PENDING', async () => {
    const c = client();
    const { job_id: jobId } = await c.hangUpKillAllClients({ instanceId: CLUSTER, body: { kill_all_nodes: true } });
    const result = await waitForJob(c, jobId, now() + JOB_DURATION_MS / 2, { now, sleep: advance, initialDelayMs: 500 });
    expect(result.status).toBe('PENDING');
    expect(result.polls).toBeGreaterThan(0);
  });

  test('job reads failing until the deadline: PENDING with the last error', async () => {
    const c = client();
    const { job_id: jobId } = await c.hangUpKillAllClients({ instanceId: CLUSTER, body: { kill_all_nodes: true } });
    emulator.faults.add({ operation: 'showJobInfo', status: 503, errorCode: 'DCS.5003', errorMsg: 'busy' });
    const result = await waitForJob(c, jobId, now() + 3000, { now, sleep: advance, initialDelayMs: 500 });
    expect(result.status).toBe('PENDING');
    expect(result.lastError).toMatchObject({ code: 'DCS.5003', httpStatus: 503 });
  });
});

describe('faults', () => {
  test('a kill-all that hangs times out as outcome_unknown and is sent exactly once', async () => {
    emulator.faults.add({ operation: 'hangUpKillAllClients', hang: true });
    const error = await failure(client({ timeoutMs: 300 }).hangUpKillAllClients({ instanceId: CLUSTER, body: { kill_all_nodes: true } }));
    expect([error.kind, error.code]).toEqual(['outcome_unknown', 'timeout']);
    expect(killRequests()).toHaveLength(1);
  });

  test('a reset kill-all is sent exactly once; a reset read is retried', async () => {
    emulator.faults.add({ operation: 'hangUpKillAllClients', reset: true });
    emulator.faults.add({ operation: 'showInstance', reset: true, times: 1 });
    const c = client();
    expect((await failure(c.hangUpKillAllClients({ instanceId: CLUSTER, body: { kill_all_nodes: true } }))).kind).toBe('outcome_unknown');
    expect(killRequests()).toHaveLength(1);
    expect((await c.showInstance({ instanceId: CLUSTER })).instance_id).toBe(CLUSTER);
    expect(emulator.requests.filter((r) => r.operation === 'showInstance')).toHaveLength(2);
  });

  test('a 500 on kill-all is not re-sent; a 429 is, and then succeeds', async () => {
    const c = client();
    emulator.faults.add({ operation: 'hangUpKillAllClients', status: 500, errorCode: 'DCS.5000', errorMsg: 'boom', times: 1 });
    expect((await failure(c.hangUpKillAllClients({ instanceId: CLUSTER, body: { kill_all_nodes: true } }))).kind).toBe('server');
    expect(killRequests()).toHaveLength(1);

    emulator.faults.add({ operation: 'hangUpKillAllClients', status: 429, errorCode: 'APIGW.0308', errorMsg: 'throttled', times: 1 });
    expect((await c.hangUpKillAllClients({ instanceId: CLUSTER, body: { kill_all_nodes: true } })).job_id).toMatch(/^[0-9a-f]{32}$/);
    expect(killRequests()).toHaveLength(3);
  });

  test('a redirect is not followed', async () => {
    emulator.faults.add({ operation: 'hangUpKillAllClients', redirectTo: `/v2/${PROJECT}/instances/${CLUSTER}` });
    const error = await failure(client().hangUpKillAllClients({ instanceId: CLUSTER, body: { kill_all_nodes: true } }));
    expect([error.kind, error.code, error.httpStatus]).toEqual(['rejected', 'unexpected_redirect', 302]);
    expect(emulator.requests).toHaveLength(1);
  });
});
