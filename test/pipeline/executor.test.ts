/**
 * The executor in process: real DcsClient (real sdk-core signer) against the
 * DCS emulator over HTTP, the real memory guard store. What counts is what the
 * emulator received, the decision, its answer, and what the guard lets the next
 * plan do (the claim kept or released).
 */
import { ACTIONS, type ActionRegistry } from '../../lib/actions';
import { createDcsClient, DcsCredentials, type DcsClient } from '../../lib/dcs';
import { Budget, SAFETY_MARGIN_MS } from '../../lib/domain/budget';
import type { Target } from '../../lib/domain/types';
import { MemoryGuardStore } from '../../lib/guard';
import { Logger } from '../../lib/log/logger';
import { PolicySchema } from '../../lib/policy';
import { httpStatus } from '../../lib/pipeline/decision';
import { Executor, SETTLEMENT } from '../../lib/pipeline/executor';
import { DEFAULT_ACTION, executionPolicy, type Plan } from '../../lib/pipeline/plan';
import { DEMO, INSTANCES, PROJECT } from '../support/scenario';
import { startEmulator, type Emulator } from '../../dev/emulator/server';
import { useSuiteResource } from '../support/suite-resource';

const emulator: Emulator = useSuiteResource(() => startEmulator({ port: 0, jobDurationMs: 20 }), { reset: (e) => e.reset(), close: (e) => e.close() });

const policy = executionPolicy(
  PolicySchema.parse({
    version: 1,
    guard: { cooldownSeconds: 900, maxKillsPerHour: 20, maxKillsPerHourPerInstance: 20 },
    jobs: { waitSeconds: 2, pollIntervalMs: 100 },
    audit: { snapshotSessions: false },
  }),
);

const allNodes: Target = { projectId: PROJECT, instanceId: INSTANCES.shop, nodeId: null, killAllNodes: true };

let n = 0;
function plan(overrides: Partial<Plan> = {}): Plan {
  n += 1;
  return {
    source: { schedule: 'nightly', triggerName: null },
    rule: 'schedule:nightly',
    target: allNodes,
    action: DEFAULT_ACTION,
    dryRunCause: null,
    dedupKey: `test:${n}`,
    policy,
    ...overrides,
  };
}

function client(timeoutMs = 2000): DcsClient {
  return createDcsClient(
    { endpoint: emulator.url, projectId: PROJECT, region: null, credentials: new DcsCredentials(DEMO.ak, DEMO.sk, null, 'HUAWEICLOUD_SDK'), timeoutMs },
    { retryDeps: { sleep: async () => undefined, random: () => 0.5 } },
  );
}

interface Setup {
  guard?: MemoryGuardStore;
  budget?: Budget;
  actions?: ActionRegistry;
  logs?: string[];
}

function executor(setup: Setup = {}) {
  const guard = setup.guard ?? new MemoryGuardStore();
  const logs = setup.logs ?? [];
  const exec = new Executor({
    dcs: () => ({ ok: true, value: client() }),
    guard: () => ({ ok: true, value: guard }),
    budget: setup.budget ?? new Budget(Date.now() + 10_000),
    now: Date.now,
    log: new Logger({}, [], (line) => logs.push(line)),
    ...(setup.actions ? { actions: setup.actions } : {}),
  });
  return { exec, guard, logs };
}

const kills = () => emulator.requests.filter((r) => r.operation === 'hangUpKillAllClients');

describe('a real run', () => {
  test('executed: the kill is sent once, its job followed; the claim is kept (the same notification is a duplicate)', async () => {
    const { exec } = executor();
    const first = plan();
    const decision = await exec.run(first);
    expect(decision.answer).toBe('ok');
    expect(decision.draft).toMatchObject({ decision: 'executed', action: { kind: 'kill-all' }, job: { status: 'SUCCESS' }, rule: 'schedule:nightly' });
    expect(decision.draft.jobId).toMatch(/^[0-9a-f]{32}$/);
    expect(await exec.run({ ...first })).toMatchObject({ draft: { decision: 'skipped_duplicate' } });
    expect(kills()).toHaveLength(1);
  });

  test('5xx on the kill: outcome unknown, never re-sent, claim kept, answered 200 (a redelivery must not act)', async () => {
    emulator.faults.add({ operation: 'hangUpKillAllClients', status: 500 });
    const { exec } = executor();
    const first = plan();
    const decision = await exec.run(first);
    expect(decision).toMatchObject({ answer: 'ok', draft: { decision: 'failed', error: { httpStatus: 500 } } });
    expect(decision.draft.reason).toMatch(/may or may not have been carried out; it will not be re-sent/);
    expect(await exec.run({ ...first })).toMatchObject({ draft: { decision: 'skipped_duplicate' } });
    expect(await exec.run(plan())).toMatchObject({ draft: { decision: 'skipped_cooldown' } });
    expect(kills()).toHaveLength(1);
  });

  test('429 on the kill: refused, retried within the budget, then the claim is released and a redelivery (503) acts', async () => {
    emulator.faults.add({ operation: 'hangUpKillAllClients', status: 429, times: 3 });
    const { exec } = executor();
    const first = plan();
    const decision = await exec.run(first);
    expect(decision).toMatchObject({ answer: 'retry', draft: { decision: 'failed', error: { httpStatus: 429 } } });
    expect(decision.draft.reason).toMatch(/^DCS refused to kill/);
    expect(kills().every((k) => k.status === 429)).toBe(true);
    expect(await exec.run({ ...first })).toMatchObject({ answer: 'ok', draft: { decision: 'executed' } });
  });

  test('400 on the kill: refused, claim released, answered 200 (redelivering the same request cannot help)', async () => {
    emulator.faults.add({ operation: 'hangUpKillAllClients', status: 400, errorCode: 'DCS.4957', times: 1 });
    const { exec } = executor();
    const first = plan();
    expect(await exec.run(first)).toMatchObject({ answer: 'ok', draft: { decision: 'failed', error: { code: 'DCS.4957' } } });
    expect(kills()).toHaveLength(1);
    expect(await exec.run({ ...first })).toMatchObject({ draft: { decision: 'executed' } });
  });

  test('a claim whose dedup mark vanished before its release (the store dropped it): released, and a warning names it', async () => {
    emulator.faults.add({ operation: 'hangUpKillAllClients', status: 400, errorCode: 'DCS.4957', latencyMs: 300, times: 1 });
    const { exec, guard, logs } = executor({ guard: new MemoryGuardStore(1) }); // room for one dedup mark
    const running = exec.run(plan());
    while (kills().length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    // Another notification's claim, while the kill is in flight, pushes the first mark out.
    const other: Target = { ...allNodes, instanceId: INSTANCES.proxy };
    expect((await guard.check({ target: other, dedupKey: 'other', dryRun: false, now: Date.now(), settings: { cooldownSeconds: 900, maxKillsPerHour: 20, maxKillsPerHourPerInstance: 20, dedupTtlSeconds: 3600, failOpen: false } })).kind).toBe('proceed');
    expect(await running).toMatchObject({ draft: { decision: 'failed', error: { code: 'DCS.4957' } } });
    const warning = logs.map((line) => JSON.parse(line)).find((l) => /vanished/.test(l.message));
    expect(warning).toMatchObject({ level: 'WARN', vanished: ['dedup'], instanceId: INSTANCES.shop });
  });

  test('the preflight fails (503): nothing was sent, the claim is released, a redelivery can act', async () => {
    emulator.faults.add({ operation: 'showInstance', status: 503 });
    const { exec } = executor();
    const first = plan();
    expect(await exec.run(first)).toMatchObject({ answer: 'retry', draft: { decision: 'failed', error: { httpStatus: 503 } } });
    emulator.faults.clear();
    expect(await exec.run({ ...first })).toMatchObject({ draft: { decision: 'executed' } });
    expect(kills()).toHaveLength(1);
  });

  test('an accepted kill whose job cannot be read (403) is executed, with its jobId and the read error', async () => {
    emulator.faults.add({ operation: 'showJobInfo', status: 403, errorCode: 'DCS.4030' });
    const { exec } = executor();
    const decision = await exec.run(plan());
    expect(decision).toMatchObject({ answer: 'ok', draft: { decision: 'executed', job: { status: 'PENDING', error: { httpStatus: 403 } } } });
    expect(decision.draft.jobId).toMatch(/^[0-9a-f]{32}$/);
    expect(decision.draft.reason).toMatch(/status could not be read/);
  });

  test('a precondition that fails releases the claim', async () => {
    const { exec } = executor();
    const frozen = { ...allNodes, instanceId: INSTANCES.frozen };
    const first = plan({ target: frozen });
    expect(await exec.run(first)).toMatchObject({ draft: { decision: 'skipped_precondition' } });
    expect(await exec.run({ ...first })).toMatchObject({ draft: { decision: 'skipped_precondition' } });
  });
});

describe('dry runs', () => {
  test('every cause: nothing killed, the exact request and the cause on record, no guard state left', async () => {
    const { exec } = executor();
    for (const cause of ['GUARD_DRY_RUN', 'policy', 'rule', 'schedule'] as const) {
      const decision = await exec.run(plan({ dryRunCause: cause, dedupKey: 'same' }));
      expect(decision.draft).toMatchObject({
        decision: 'dry_run',
        dryRun: true,
        dryRunCause: cause,
        action: { kind: 'kill-all' },
        request: { method: 'POST', path: `/v2/${PROJECT}/instances/${INSTANCES.shop}/clients/kill-all`, body: { kill_all_nodes: true } },
      });
    }
    expect(kills()).toHaveLength(0);
    // Nothing was claimed: a real run of the same notification acts.
    expect(await exec.run(plan({ dedupKey: 'same' }))).toMatchObject({ draft: { decision: 'executed' } });
  });

  test('an action that ignores the dry run cannot kill: its client refuses destructive calls', async () => {
    const reckless: ActionRegistry = {
      'kill-all': { ...ACTIONS['kill-all'], run: (target, spec, ctx) => ACTIONS['kill-all'].run(target, spec, { ...ctx, dryRun: false }) },
      'kill-matching': { ...ACTIONS['kill-matching'], run: (target, spec, ctx) => ACTIONS['kill-matching'].run(target, spec, { ...ctx, dryRun: false }) },
    };
    const { exec } = executor({ actions: reckless });
    const decision = await exec.run(plan({ dryRunCause: 'policy' }));
    expect(decision.draft).toMatchObject({ decision: 'failed', error: { code: 'dry_run' } });
    expect(kills()).toHaveLength(0);
  });
});

describe('the budget', () => {
  test('a plan that cannot fit in what is left is not started: no DCS call, no claim, redeliverable', async () => {
    const { exec, guard } = executor({ budget: new Budget(Date.now() + 150) });
    const first = plan();
    expect(await exec.run(first)).toMatchObject({ answer: 'retry', draft: { decision: 'failed', error: { code: 'deadline_exceeded' } } });
    expect(emulator.requests).toHaveLength(0);
    const later = executor({ guard });
    expect(await later.exec.run({ ...first })).toMatchObject({ draft: { decision: 'executed' } });
  });

  test('a slow preflight is cut at the deadline: failed, not sent, claim released', async () => {
    emulator.faults.add({ operation: 'showInstance', latencyMs: 3_000 });
    const deadline = Date.now() + 1_000;
    const { exec, guard } = executor({ budget: new Budget(deadline) });
    const first = plan();
    const decision = await exec.run(first);
    // The platform stops the function SAFETY_MARGIN_MS after the budget's deadline.
    expect(Date.now()).toBeLessThan(deadline + SAFETY_MARGIN_MS);
    expect(decision).toMatchObject({ answer: 'retry', draft: { decision: 'failed' } });
    expect(kills()).toHaveLength(0);
    emulator.faults.clear();
    expect(await executor({ guard }).exec.run({ ...first })).toMatchObject({ draft: { decision: 'executed' } });
  });
});

test('the settlement table: only not-sent, refused, nothing-to-do and not-applicable give the target back', () => {
  expect(Object.entries(SETTLEMENT).filter(([, s]) => s.claim === 'not_sent').map(([o]) => o).sort()).toEqual(['none_matched', 'not_applicable', 'not_sent', 'refused']);
});

test('httpStatus: the most severe answer wins', () => {
  expect(httpStatus([])).toBe(200);
  expect(httpStatus(['ok', 'ok'])).toBe(200);
  expect(httpStatus(['ok', 400])).toBe(400);
  expect(httpStatus([401, 'misconfigured'])).toBe(500);
  expect(httpStatus(['misconfigured', 'retry', 'ok'])).toBe(503);
  expect(httpStatus(['internal'])).toBe(500);
});
