/**
 * kill-matching through the one executor, in process: the real DcsClient (signed, over HTTP)
 * against the emulator with simulated sessions, the real memory guard. What counts is what the
 * emulator received, which sessions are left, the decision and the claim.
 */
import { SimulatedSessionBackend, type ClientSession } from '../../dev/emulator/sessions';
import { startEmulator, type Emulator } from '../../dev/emulator/server';
import { createDcsClient, DcsCredentials } from '../../lib/dcs';
import { Budget } from '../../lib/domain/budget';
import type { Target } from '../../lib/domain/types';
import { MemoryGuardStore } from '../../lib/guard';
import { Logger } from '../../lib/log/logger';
import { ActionSchema, PolicySchema, type KillMatchingSpec } from '../../lib/policy';
import { Executor } from '../../lib/pipeline/executor';
import { executionPolicy, type Plan } from '../../lib/pipeline/plan';
import { DEMO, INSTANCES, PROJECT } from '../support/scenario';

const SHOP = INSTANCES.shop;
const MASTER0 = 'eb4debb56ba8d632dae03afc167a8f9b';
const PROXY_INSTANCE = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
const PROXY_DATA_NODE = '2277a418bd03c48a751c360b1a5d04e7';

let port = 30000;
const s = (name: string, idle: number, extra: Partial<ClientSession> = {}): ClientSession => {
  port += 1;
  return { id: String(port), addr: `10.0.0.7:${port}`, name, age: idle + 100, idle, db: 0, flags: 'N', cmd: 'get', ...extra };
};

let emulator: Emulator;
let backend: SimulatedSessionBackend;
let node0: ClientSession[];

beforeEach(async () => {
  node0 = [s('leak-1', 900), s('leak-2', 5000), s('leak-3', 700), s('busy', 1), s('monitor-1', 9000), s('replica', 9000, { flags: 'S' }), s('app', 650, { addr: '10.0.5.9:1234' })];
  backend = new SimulatedSessionBackend(new Map([[MASTER0, node0]]));
  emulator = await startEmulator({ port: 0, jobDurationMs: 20, sessionBackend: backend, listPageSize: 3 });
});
afterEach(() => emulator.close());

const policy = executionPolicy(PolicySchema.parse({ version: 1, jobs: { waitSeconds: 2, pollIntervalMs: 100 }, audit: { snapshotSessions: true } }));
const spec = (over: Record<string, unknown> = {}): KillMatchingSpec =>
  ActionSchema.parse({ kind: 'kill-matching', select: { idleSecondsAtLeast: 600 }, protect: { names: ['monitor*'], addresses: ['10.0.5.0/24'] }, ...over }) as KillMatchingSpec;
const nodeTarget = (nodeId: string = MASTER0, instanceId: string = SHOP): Target => ({ projectId: PROJECT, instanceId, nodeId, killAllNodes: false });

let n = 0;
const plan = (over: Partial<Plan> = {}): Plan => ({
  source: { schedule: 'idle-sweep', triggerName: null },
  rule: 'schedule:idle-sweep',
  target: nodeTarget(),
  action: spec(),
  dryRunCause: null,
  dedupKey: `t:${(n += 1)}`,
  policy,
  ...over,
});

function executor(opts: { guard?: MemoryGuardStore; budget?: Budget } = {}) {
  const guard = opts.guard ?? new MemoryGuardStore();
  const dcs = createDcsClient({ endpoint: emulator.url, projectId: PROJECT, region: null, credentials: new DcsCredentials(DEMO.ak, DEMO.sk, null, 'HUAWEICLOUD_SDK'), timeoutMs: 2000 });
  return new Executor({ dcs: () => ({ ok: true, value: dcs }), guard: () => ({ ok: true, value: guard }), budget: opts.budget ?? new Budget(Date.now() + 10_000), now: Date.now, log: new Logger({}, [], () => undefined) });
}

/** The record's action field, as the precision action writes it. */
interface PrecisionRecord {
  nodes: Array<{ nodeId: string }>;
  killed: Array<{ addr: string; name: string }>;
}
const actionOf = (d: { draft: { action?: unknown } }) => d.draft.action as PrecisionRecord;

const left = async () => (await backend.listSessions({ instanceId: SHOP, nodeId: MASTER0, nodeIp: '', nodePort: '' })).map((x) => x.name);
const ops = () => emulator.requests.map((r) => r.operation);
const killedAddrs = () => emulator.requests.filter((r) => r.operation === 'hangUpClients').flatMap((r) => (r.body as { client_addrs: string[] }).client_addrs);

test('executed: only the selected, unprotected sessions are closed, idlest first; the record says what and how many', async () => {
  const decision = await executor().run(plan({ action: spec({ maxSessionsPerNode: 2 }) }));
  expect(decision.draft).toMatchObject({
    decision: 'executed',
    action: {
      kind: 'kill-matching',
      nodes: [{ nodeId: MASTER0, scanned: 7, selected: 3, protected: 3, killed: 2, truncated: true }],
      killed: [
        { addr: node0[1]!.addr, name: 'leak-2', idle: 5000, age: 5100 },
        { addr: node0[0]!.addr, name: 'leak-1', idle: 900, age: 1000 },
      ],
      more: 0,
    },
  });
  expect(await left()).toEqual(['leak-3', 'busy', 'monitor-1', 'replica', 'app']);
  // More than one page (page size 3), no snapshot scan of its own, one kill request.
  expect(ops().filter((o) => o === 'listClients')).toHaveLength(3);
  expect(ops().filter((o) => o === 'scanClients')).toHaveLength(1);
  expect(ops()).not.toContain('hangUpKillAllClients');
  expect(decision.draft.sessions).toBeUndefined();
});

test('dry run: the same addresses a real run closes are listed, and nothing is closed', async () => {
  const dry = await executor().run(plan({ dryRunCause: 'schedule' }));
  expect(dry.draft).toMatchObject({ decision: 'dry_run', dryRunCause: 'schedule', request: { method: 'POST', path: expect.stringMatching(/\/clients\/kill$/) } });
  expect(ops()).not.toContain('hangUpClients');
  expect(await left()).toHaveLength(7);
  const wouldKill = actionOf(dry).killed.map((k) => k.addr);

  const real = await executor().run(plan());
  expect(real.draft.decision).toBe('executed');
  expect(killedAddrs()).toEqual(wouldKill);
  expect(actionOf(real).killed.map((k) => k.addr)).toEqual(wouldKill);
});

test('none matched, skip: skipped_no_match, nothing sent, and the claim is given back', async () => {
  const guard = new MemoryGuardStore();
  const none = await executor({ guard }).run(plan({ action: spec({ select: { idleSecondsAtLeast: 99_999 } }) }));
  expect(none.draft).toMatchObject({ decision: 'skipped_no_match', action: { kind: 'kill-matching', nodes: [{ scanned: 7, selected: 0, killed: 0 }], killed: [], more: 0 } });
  expect(ops()).not.toContain('hangUpClients');
  expect(ops()).not.toContain('hangUpKillAllClients');
  // No cooldown was taken: the same target acts at once.
  expect((await executor({ guard }).run(plan())).draft.decision).toBe('executed');
});

test('none matched, whenNoneMatch kill-all: one rule escalates to kill-all of the same target', async () => {
  const decision = await executor().run(plan({ action: spec({ select: { idleSecondsAtLeast: 99_999 }, whenNoneMatch: 'kill-all' }) }));
  expect(decision.draft).toMatchObject({ decision: 'executed', action: { kind: 'kill-matching', escalated: 'kill-all' }, reason: expect.stringMatching(/escalated to kill-all/) });
  expect(emulator.requests.filter((r) => r.operation === 'hangUpKillAllClients').map((r) => r.body)).toEqual([{ node_id: MASTER0, kill_all_nodes: false }]);
  expect(ops()).not.toContain('hangUpClients');
});

test('the guard treats it like kill-all of the target: a second plan for the node is in cooldown', async () => {
  const guard = new MemoryGuardStore();
  expect((await executor({ guard }).run(plan())).draft.decision).toBe('executed');
  const second = await executor({ guard }).run(plan({ action: { kind: 'kill-all' } }));
  expect(second.draft.decision).toBe('skipped_cooldown');
});

test('an instance target acts on every node holding sessions; a proxy instance on its proxies only', async () => {
  const all = await executor().run(plan({ target: { projectId: PROJECT, instanceId: SHOP, nodeId: null, killAllNodes: true } }));
  const nodes = actionOf(all).nodes.map((x) => x.nodeId);
  expect(nodes).toHaveLength(6);
  expect(nodes[0]).toBe(MASTER0);
  const proxy = await executor().run(plan({ target: { projectId: PROJECT, instanceId: PROXY_INSTANCE, nodeId: null, killAllNodes: true }, action: spec({ select: { idleSecondsAtLeast: 30 }, protect: undefined }) }));
  expect(actionOf(proxy).nodes.map((x) => x.nodeId)).toEqual(['0b2111a46ff3ad59b29c9ff70e2391f9', 'cd88644d41ac72b1691478adb806da39']);
});

test('a Redis server behind proxies is not a precision target: skipped_precondition, nothing scanned', async () => {
  const decision = await executor().run(plan({ target: nodeTarget(PROXY_DATA_NODE, PROXY_INSTANCE) }));
  expect(decision.draft).toMatchObject({ decision: 'skipped_precondition', reason: expect.stringMatching(/behind proxies/) });
  expect(ops()).not.toContain('scanClients');
});

test('a scan job that FAILs, or never finishes within the budget: failed, nothing closed, the claim given back', async () => {
  const guard = new MemoryGuardStore();
  emulator.faults.add({ operation: 'scanClients', jobFail: 'node busy' });
  const failed = await executor({ guard }).run(plan());
  expect(failed.draft).toMatchObject({ decision: 'failed', action: { nodes: [{ nodeId: MASTER0, error: expect.stringMatching(/node busy/) }] } });
  emulator.faults.add({ operation: 'scanClients', jobHang: true });
  const hung = await executor({ guard, budget: new Budget(Date.now() + 1500) }).run(plan());
  expect(hung.draft).toMatchObject({ decision: 'failed', error: { code: 'scan_unfinished' } });
  expect(ops()).not.toContain('hangUpClients');
  expect((await executor({ guard }).run(plan())).draft.decision).toBe('executed');
});

test('the deadline rule: a node whose scan cannot fit is not started (no scan sent)', async () => {
  const decision = await executor({ budget: new Budget(Date.now() + 700) }).run(plan({ policy: { ...policy, guard: { ...policy.guard, storeTimeoutMs: 10 } } }));
  expect(decision.draft).toMatchObject({ decision: 'failed', error: { code: 'deadline_exceeded' } });
  expect(ops()).not.toContain('scanClients');
});

test('a node that disappears between listing and kill: DCS refuses, recorded as failed, the claim given back', async () => {
  emulator.faults.add({ operation: 'hangUpClients', status: 400, errorCode: 'DCS.4012', errorMsg: 'The node does not exist in this instance.', times: 1 });
  const guard = new MemoryGuardStore();
  const decision = await executor({ guard }).run(plan());
  expect(decision.draft).toMatchObject({ decision: 'failed', error: { code: 'DCS.4012' }, action: { nodes: [{ killed: 0, error: expect.stringMatching(/DCS.4012/) }] } });
  expect(await left()).toHaveLength(7);
  expect((await executor({ guard }).run(plan())).draft.decision).toBe('executed');
});

test('a batch with an unknown outcome is never re-sent and keeps the claim', async () => {
  emulator.faults.add({ operation: 'hangUpClients', status: 500 });
  const guard = new MemoryGuardStore();
  const decision = await executor({ guard }).run(plan());
  expect(decision.draft).toMatchObject({ decision: 'failed', action: { nodes: [{ unknown: 3 }] } });
  expect(ops().filter((o) => o === 'hangUpClients')).toHaveLength(1);
  expect((await executor({ guard }).run(plan())).draft.decision).toBe('skipped_cooldown');
});

test('client names are recorded without control characters', async () => {
  node0.length = 0;
  backend = new SimulatedSessionBackend(new Map([[MASTER0, [s('evil\u001b[31mname\n', 900)]]]));
  await emulator.close();
  emulator = await startEmulator({ port: 0, jobDurationMs: 20, sessionBackend: backend });
  const decision = await executor().run(plan());
  expect(actionOf(decision).killed[0]!.name).toBe('evil?[31mname?');
});
