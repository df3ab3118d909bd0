/**
 * Jobs on an injected clock: INIT -> RUNNING -> SUCCESS/FAIL, and their effects on sessions.
 */
import { startEmulator, type Emulator } from '../../dev/emulator/server';
import { DEMO, manualClock, signedRequest } from './support';

const P = `/v2/${DEMO.projectId}`;
const DURATION = 10_000;

describe('jobs', () => {
  const clock = manualClock();
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ now: clock.now, jobDurationMs: DURATION });
  });
  afterAll(() => emulator.close());
  beforeEach(() => {
    emulator.reset();
    clock.set(Date.now());
  });

  const shopNodes = () => emulator.state.nodes(DEMO.projectId, DEMO.shop);
  const sessionsOf = (nodeId: string) => {
    const node = shopNodes().find((n) => n.node_id === nodeId)!;
    return emulator.state.sessions.listSessions(emulator.state.address(DEMO.shop, node));
  };
  const kill = async (body: object) => {
    const r = await signedRequest(emulator, { method: 'POST', path: `${P}/instances/${DEMO.shop}/clients/kill-all`, body });
    expect(r.status).toBe(200);
    return (r.json as { job_id: string }).job_id;
  };
  const job = async (jobId: string) => (await signedRequest(emulator, { method: 'GET', path: `${P}/jobs/${jobId}` })).json as Record<string, unknown>;

  it('moves INIT -> RUNNING -> SUCCESS and only then kills the normal sessions of the node', async () => {
    const nodeId = shopNodes()[0]!.node_id;
    const before = await sessionsOf(nodeId);
    expect(before.filter((s) => s.flags === 'N').length).toBeGreaterThan(0);
    const start = clock.now();
    const jobId = await kill({ node_id: nodeId });

    expect(await job(jobId)).toMatchObject({ job_id: jobId, status: 'INIT', begin_time: String(start), end_time: '', fail_reason: null });
    clock.advance(DURATION / 2);
    expect(await job(jobId)).toMatchObject({ status: 'RUNNING' });
    expect(await sessionsOf(nodeId)).toEqual(before);

    clock.advance(DURATION / 2);
    expect(await job(jobId)).toMatchObject({ status: 'SUCCESS', end_time: String(start + DURATION) });
    const after = await sessionsOf(nodeId);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((s) => s.flags !== 'N')).toBe(true); // the replication link survives
    // Other nodes keep their sessions.
    const other = shopNodes()[1]!.node_id;
    expect((await sessionsOf(other)).length).toBeGreaterThan(0);
  });

  it('kill_all_nodes empties the normal sessions of every node', async () => {
    const jobId = await kill({ kill_all_nodes: true });
    clock.advance(DURATION);
    expect(await job(jobId)).toMatchObject({ status: 'SUCCESS' });
    for (const n of shopNodes()) expect((await sessionsOf(n.node_id)).filter((s) => s.flags === 'N')).toEqual([]);
  });

  it('a scan snapshots the sessions; the list stays as scanned until the next scan', async () => {
    const nodeId = shopNodes()[0]!.node_id;
    const listPath = `${P}/instances/${DEMO.shop}/clients`;
    const scan = await signedRequest(emulator, { method: 'POST', path: listPath, body: { node_id: nodeId } });
    const scanId = (scan.json as { job_id: string }).job_id;
    expect(await job(scanId)).toMatchObject({ job_type: 'scanClients', status: 'INIT' });
    expect((await signedRequest(emulator, { method: 'GET', path: listPath, query: { node_id: nodeId } })).status).toBe(500);
    clock.advance(DURATION);
    const listed = async () => (await signedRequest(emulator, { method: 'GET', path: listPath, query: { node_id: nodeId, limit: '1000' } })).json as { count: number };
    const count = (await sessionsOf(nodeId)).length;
    expect((await listed()).count).toBe(count);

    await kill({ node_id: nodeId });
    clock.advance(DURATION);
    expect((await listed()).count).toBe(count); // stale until rescanned, like the real service
    await signedRequest(emulator, { method: 'POST', path: listPath, body: { node_id: nodeId } });
    clock.advance(DURATION);
    expect((await listed()).count).toBe((await sessionsOf(nodeId)).length);
    expect((await listed()).count).toBeLessThan(count);
  });

  it('a jobFail fault makes the next kill job FAIL with its reason and kill nothing', async () => {
    const nodeId = shopNodes()[0]!.node_id;
    const before = await sessionsOf(nodeId);
    emulator.faults.add({ jobFail: 'redis node busy' });
    const failing = await kill({ node_id: nodeId });
    const next = await kill({ node_id: shopNodes()[1]!.node_id });
    clock.advance(DURATION);
    expect(await job(failing)).toMatchObject({ status: 'FAIL', fail_reason: 'redis node busy' });
    expect(await sessionsOf(nodeId)).toEqual(before);
    expect(await job(next)).toMatchObject({ status: 'SUCCESS' });
  });

  it('a job on a node that is not Active ends FAIL', async () => {
    const node = shopNodes()[0]!;
    node.status = 'Inactive';
    const jobId = await kill({ node_id: node.node_id });
    clock.advance(DURATION);
    expect(await job(jobId)).toMatchObject({ status: 'FAIL', fail_reason: expect.stringContaining('Inactive') });
  });

  it('reset forgets jobs and restores the seeded sessions', async () => {
    const nodeId = shopNodes()[0]!.node_id;
    const before = await sessionsOf(nodeId);
    const jobId = await kill({ node_id: nodeId });
    clock.advance(DURATION);
    await job(jobId);
    emulator.reset();
    expect(await sessionsOf(nodeId)).toEqual(before);
    expect(emulator.state.allJobs()).toEqual([]);
    expect(emulator.requests).toEqual([]);
  });
});
