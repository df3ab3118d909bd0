/**
 * The emulator's session calls over real redis-server nodes and real client connections:
 * hangUpClients closes exactly the given addresses (CLIENT KILL ADDR), a small page size
 * makes listClients page, and scan jobs take the jobFail / jobHang faults.
 */
import { execFileSync } from 'node:child_process';
import { parseClientList, ADMIN_CONNECTION_NAME } from '../../dev/emulator/redis-backend';
import { startEmulator, type Emulator } from '../../dev/emulator/server';
import { DcsError } from '../../lib/dcs/errors';
import { waitForJob } from '../../lib/dcs/jobs';
import { describeWithRedis } from '../support/redis-server';
import { signedRequest } from './support';
import { connectClients, DEMO, demoDcsClient, disconnectAll, scanAndList, type RealClient } from '../e2e/real-clients';

describeWithRedis('session calls on real nodes', () => {
  let emulator: Emulator;
  let clients: RealClient[] = [];
  const dcs = () => demoDcsClient(emulator);
  const node = DEMO.shard0Master;
  const hangUp = (addrs: string[]) => dcs().hangUpClients({ instanceId: DEMO.shop, body: { node_id: node, client_addrs: addrs } });

  beforeAll(async () => {
    emulator = await startEmulator({ jobDurationMs: 30, listPageSize: 2, redisNodes: { nodes: { [node]: 'spawn' } } });
  });
  afterAll(() => emulator.close());
  beforeEach(async () => {
    emulator.reset();
    clients = await connectClients(emulator.nodeAddress(node), 5, 'app');
  });
  afterEach(() => disconnectAll(clients));

  test('hangUpClients closes exactly the given sessions; the others still answer PING', async () => {
    const [a, b, ...rest] = clients;
    await hangUp([a!.addr, b!.addr]);
    await Promise.all([a!.closed, b!.closed]);
    for (const c of rest) expect(await c.redis.ping()).toBe('PONG');
    expect(emulator.requests.at(-1)).toMatchObject({ operation: 'hangUpClients', status: 204, body: { node_id: node, client_addrs: [a!.addr, b!.addr] } });
  });

  test('an address that is already gone is fine (204), and the emulator’s own connection is never killed', async () => {
    const port = emulator.nodeAddress(node)!.port;
    const list = () => parseClientList(execFileSync('redis-cli', ['-p', String(port), 'CLIENT', 'LIST'], { encoding: 'utf8' }));
    const admin = list().find((s) => s.name === ADMIN_CONNECTION_NAME)!;
    await hangUp(['127.0.0.1:1', admin.addr]);
    expect(list().find((s) => s.name === ADMIN_CONNECTION_NAME)?.id).toBe(admin.id);
    for (const c of clients) expect(await c.redis.ping()).toBe('PONG');
  });

  test('bad bodies are 400 and kill nothing', async () => {
    // Signed by sdk-core's signer and sent raw, past our own client's checks: the emulator must refuse on its own.
    for (const body of [{ node_id: node }, { node_id: node, client_addrs: [] }, { node_id: node, client_addrs: ['not-an-addr'] }, { client_addrs: [clients[0]!.addr] }]) {
      const res = await signedRequest(emulator, { method: 'POST', path: `/v2/${DEMO.projectId}/instances/${DEMO.shop}/clients/kill`, body });
      expect(res.status).toBe(400);
    }
    for (const c of clients) expect(await c.redis.ping()).toBe('PONG');
  });

  test('listPageSize: each page holds at most that many sessions, whatever limit asks', async () => {
    await scanAndList(dcs(), DEMO.shop, node);
    const first = await dcs().listClients({ instanceId: DEMO.shop, nodeId: node, offset: 0, limit: 1000 });
    expect(first.count).toBe(5);
    expect(first.clients).toHaveLength(2);
    const last = await dcs().listClients({ instanceId: DEMO.shop, nodeId: node, offset: 4, limit: 1000 });
    expect(last.clients).toHaveLength(1);
  });

  test('a scanClients jobFail fault: the scan job ends FAIL; kill jobs are not affected', async () => {
    emulator.faults.add({ operation: 'scanClients', jobFail: 'node busy' });
    const scan = await dcs().scanClients({ instanceId: DEMO.shop, body: { node_id: node } });
    const job = await waitForJob(dcs(), scan.job_id, Date.now() + 5000, { initialDelayMs: 10, maxDelayMs: 40 });
    expect(job).toMatchObject({ status: 'FAIL', failReason: 'node busy' });
  });

  test('a scanClients jobHang fault: the scan job stays RUNNING', async () => {
    emulator.faults.add({ operation: 'scanClients', jobHang: true });
    const scan = await dcs().scanClients({ instanceId: DEMO.shop, body: { node_id: node } });
    const job = await waitForJob(dcs(), scan.job_id, Date.now() + 400, { initialDelayMs: 10, maxDelayMs: 40 });
    expect(job.status).toBe('PENDING');
    expect(emulator.state.jobView(emulator.state.job(DEMO.projectId, scan.job_id)!).status).toBe('RUNNING');
  });

  test('a node that is not Active refuses hangUpClients', async () => {
    emulator.state.node(DEMO.projectId, DEMO.shop, node)!.status = 'Inactive';
    const error = await hangUp([clients[0]!.addr]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DcsError);
    expect((error as DcsError).kind).toBe('rejected');
    expect(await clients[0]!.redis.ping()).toBe('PONG');
  });
});
