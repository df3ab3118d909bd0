/**
 * Reading every page of a node's sessions and closing chosen ones in batches, through the real
 * lib/dcs client (signed, over HTTP) against the emulator with simulated sessions.
 */
import { SimulatedSessionBackend, type ClientSession } from '../../dev/emulator/sessions';
import { startEmulator, type Emulator } from '../../dev/emulator/server';
import { killInBatches } from '../../lib/sessions/kill';
import { listAllClients, scanNode } from '../../lib/sessions/read';
import { DEMO, demoDcsClient } from '../e2e/real-clients';

const NODE = DEMO.shard0Master;
const sessions = (n: number): ClientSession[] =>
  Array.from({ length: n }, (_, i) => ({ id: String(i + 1), addr: `10.1.${i >> 8}.${i & 255}:5000`, name: `c${i}`, age: 100, idle: i, db: 0, flags: 'N', cmd: 'get' }));

let emulator: Emulator;
let backend: SimulatedSessionBackend;
const dcs = () => demoDcsClient(emulator);
const later = (ms = 10_000) => Date.now() + ms;

beforeAll(async () => {
  backend = new SimulatedSessionBackend(new Map([[NODE, sessions(23)]]));
  emulator = await startEmulator({ jobDurationMs: 20, listPageSize: 5, sessionBackend: backend });
});
afterAll(() => emulator.close());
beforeEach(() => {
  emulator.requests.length = 0;
  emulator.faults.clear();
});

test('scan, then every page: a server answering fewer than asked is followed by offset', async () => {
  await scanNode(dcs(), DEMO.shop, NODE, { deadline: later(), pollMs: 10 });
  const listing = await listAllClients(dcs(), DEMO.shop, NODE, { deadline: later(), pageSize: 1000, maxSessions: 100_000 });
  expect(listing).toMatchObject({ count: 23, pages: 5, complete: true });
  expect(new Set(listing.clients.map((c) => c.addr)).size).toBe(23);
  const offsets = emulator.requests.filter((r) => r.operation === 'listClients').map((r) => r.query['offset']);
  expect(offsets).toEqual(['0', '5', '10', '15', '20']);
});

test('maxSessions bounds what is read; the listing says it is incomplete', async () => {
  await scanNode(dcs(), DEMO.shop, NODE, { deadline: later(), pollMs: 10 });
  const listing = await listAllClients(dcs(), DEMO.shop, NODE, { deadline: later(), pageSize: 4, maxSessions: 10 });
  expect(listing.clients).toHaveLength(10);
  expect(listing.complete).toBe(false);
});

test('a scan job that FAILs or never finishes is a typed error, and no page is read', async () => {
  emulator.faults.add({ operation: 'scanClients', jobFail: 'node busy' });
  await expect(scanNode(dcs(), DEMO.shop, NODE, { deadline: later(), pollMs: 10 })).rejects.toMatchObject({ code: 'scan_failed', message: expect.stringContaining('node busy') });
  emulator.faults.add({ operation: 'scanClients', jobHang: true });
  await expect(scanNode(dcs(), DEMO.shop, NODE, { deadline: later(300), pollMs: 10 })).rejects.toMatchObject({ code: 'scan_unfinished' });
  expect(emulator.requests.some((r) => r.operation === 'listClients')).toBe(false);
});

test('batches: never more than batchSize addresses per request, all of them closed', async () => {
  const addrs = sessions(23).slice(0, 12).map((s) => s.addr);
  const report = await killInBatches(dcs(), DEMO.shop, NODE, addrs, { deadline: later(), batchSize: 5 });
  expect(report).toMatchObject({ killed: 12, batches: 3, unknown: 0, notApplied: 0, stoppedBy: null });
  const sent = emulator.requests.filter((r) => r.operation === 'hangUpClients').map((r) => (r.body as { client_addrs: string[] }).client_addrs);
  expect(sent.map((b) => b.length)).toEqual([5, 5, 2]);
  expect(sent.flat()).toEqual(addrs);
  const left = await backend.listSessions({ instanceId: DEMO.shop, nodeId: NODE, nodeIp: '', nodePort: '' });
  expect(left.map((s) => s.addr)).toEqual(sessions(23).slice(12).map((s) => s.addr));
});

test('a batch that fails stops the rest: a 500 is unknown for its batch, the rest not applied', async () => {
  const addrs = sessions(23).slice(12).map((s) => s.addr);
  const report = await killInBatches(dcs(), DEMO.shop, NODE, addrs, {
    deadline: later(),
    batchSize: 4,
    onBatch: () => emulator.faults.add({ operation: 'hangUpClients', status: 500 }),
  });
  expect(report).toMatchObject({ killed: 4, batches: 1, unknown: 4, notApplied: 3 });
  expect(report.stoppedBy?.kind).toBe('server');
  expect(emulator.requests.filter((r) => r.operation === 'hangUpClients')).toHaveLength(2);
});

test('a deadline too close: nothing is sent, every address not applied', async () => {
  const report = await killInBatches(dcs(), DEMO.shop, NODE, ['10.9.9.9:1', '10.9.9.9:2'], { deadline: Date.now() + 50, batchSize: 1 });
  expect(report).toMatchObject({ killed: 0, notApplied: 2, unknown: 0 });
  expect(report.stoppedBy?.code).toBe('deadline_exceeded');
  expect(emulator.requests).toHaveLength(0);
});
