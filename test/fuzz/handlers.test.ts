/**
 * Property-based fuzzing of BOTH handlers through the BUILT bundles
 * (dist/alarm, dist/cron), thousands of cases per batch in one warm child
 * process, against the DCS emulator and local HTTPS servers.
 *
 * Properties, for every case:
 * - no exception escapes; the answer has the contract's shape (APIG or
 *   {results}); every record is a valid audit record; exactly one audit line
 *   is printed per returned record;
 * - the emulator receives a request only for events that are valid AND
 *   authorized, and the function contacts no host it is not allowed to.
 *
 * Cases come from fc.sample with fixed seeds (FUZZ_SEED overrides; the seed is
 * printed). A failure names the case index and what the generator did.
 */
import fc from 'fast-check';
import { SIGNING_CERT } from '../auth/support/keys';
import { ACTING_POLICY, FIXTURE_NODE, INSTANCES, Scenario } from '../support/scenario';
import { useSuiteResource } from '../support/suite-resource';
import { fuzzSeed, report, runBatch, type BatchRun, type FuzzCase } from './support/batch';
import { garbageAlarmEvents, garbageTimerEvents, policyCases, POLICY_EXPECTATIONS, signedCases, timerCases, triggerCases } from './support/cases';
import { NO_DCS_DECISIONS } from './support/contract';
import { REAL_ALARM_INSTANCE, TOPIC } from './support/signed';
import { LOCAL_HOSTS_ENV, SIGNING_CERT_FILE, useSmnHosts } from './support/servers';

/** Instances the policy denies, and one that only a schedule names (unknown to the emulator). */
// Each batch is bounded work (thousands of cases through the built bundle); how long it takes
// depends on the machine's load, not on correctness. A batch cut short by jest's default
// timeout would keep running into the next test's shared scenario.
jest.setTimeout(10 * 60_000);

const DENIED = ['d0000000-0000-4000-8000-00000000000d', 'd0000000-0000-4000-8000-0000000000dd'];
const WEEKLY_INSTANCE = 'e0000000-0000-4000-8000-00000000000e';
const SCHEDULE_INSTANCES: Record<string, string> = { nightly: INSTANCES.shop, weekly: WEEKLY_INSTANCE, 'node-sweep': INSTANCES.shop, 'denied-sweep': DENIED[0]! };
const BREAKER = { maxKillsPerHour: 20, maxKillsPerHourPerInstance: 6 };

/** Acts on every DCS alarm, no cooldown (so the breaker is what limits kills), job not followed (speed). */
const FUZZ_POLICY = {
  ...ACTING_POLICY,
  instances: { allow: ['*'], deny: DENIED },
  schedules: {
    nightly: { targets: [{ instance: INSTANCES.shop, nodes: 'all' }] },
    weekly: { targets: [{ instance: WEEKLY_INSTANCE, nodes: 'all' }] },
    'node-sweep': { targets: [{ instance: INSTANCES.shop, nodes: [FIXTURE_NODE.nodeId] }] },
    'denied-sweep': { targets: [{ instance: DENIED[0], nodes: 'all' }] },
  },
  guard: { cooldownSeconds: 0, ...BREAKER },
  jobs: { waitSeconds: 0 },
};

const s = useSuiteResource(() => Scenario.start(), { reset: (scenario) => scenario.reset(), close: (scenario) => scenario.close() });

const hosts = useSmnHosts({ cert: (req, res) => (req.url?.endsWith('.pem') ? res.writeHead(200).end(SIGNING_CERT) : res.writeHead(404).end()) });

/** Downloads and confirmations go to the local servers only; nothing ever leaves the machine. */
const BASE_ENV = { GUARD_POLICY: JSON.stringify(FUZZ_POLICY), ...LOCAL_HOSTS_ENV };

// ---- helpers ----

const decisionsOf = (records: Array<Record<string, any>>): string[] => records.map((r) => r.decision);
const allRejected = (records: Array<Record<string, any>>): boolean => records.length > 0 && records.every((r) => r.decision === 'rejected');
const statusOf = (value: any): number | null => (value && typeof value.statusCode === 'number' ? value.statusCode : null);

/** The instance id in a DCS request path, or null (job reads). */
const instanceOf = (p: string): string | null => /\/instances\/([^/?]+)/.exec(p)?.[1] ?? null;

/** Every DCS request, grouped by the instance its path names. */
function requestsByInstance(): Map<string, string[]> {
  const byInstance = new Map<string, string[]>();
  for (const r of s.emulator.requests) {
    const id = instanceOf(r.path) ?? '(none)';
    byInstance.set(id, [...(byInstance.get(id) ?? []), r.operation]);
  }
  return byInstance;
}

/** Only the six DCS routes, with a UUID instance: no id ever bends a path. */
const ROUTE = /^\/v2\/[0-9a-f]{32}\/(instances\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(\/(logical-nodes|clients|clients\/kill-all))?|jobs\/[A-Za-z0-9-]+)$/i;

function pathViolations(): string[] {
  return s.emulator.requests.filter((r) => r.operation === 'unknown' || !ROUTE.test(r.path.split('?')[0]!)).map((r) => `request outside the DCS routes: ${r.method} ${r.path}`);
}

function outboundViolations(): string[] {
  const v: string[] = [];
  if (hosts.evil.connections() > 0) v.push(`the disallowed host was contacted ${hosts.evil.connections()} time(s): ${hosts.evil.requests.join(', ')}`);
  if (hosts.plain.connections() > 0) v.push(`the plain-HTTP host was contacted ${hosts.plain.connections()} time(s): ${hosts.plain.requests.join(', ')}`);
  for (const r of hosts.cert.requests) if (!/^GET \/[^?#]*\.pem$/.test(r)) v.push(`certificate download outside the rules: ${r}`);
  return v;
}

/** Kills only for executed records, matching their targets; the breaker never exceeded. */
function killViolations(run: BatchRun<FuzzCase>): string[] {
  const v: string[] = [];
  const executed = run.outcomes.flatMap((o) => o.records.filter((r) => r.decision === 'executed'));
  const kills = s.killRequests();
  if (kills.length !== executed.length) v.push(`${kills.length} kill requests for ${executed.length} executed records`);
  const killed = kills.map((k) => `${instanceOf(k.path)} ${JSON.stringify(k.body)}`).sort();
  const expected = executed.map((r) => `${r.target.instanceId} ${JSON.stringify(r.target.killAllNodes ? { kill_all_nodes: true } : { node_id: r.target.nodeId, kill_all_nodes: false })}`).sort();
  if (killed.join('\n') !== expected.join('\n')) v.push(`kill requests differ from the executed targets:\n${killed.join('\n')}\nvs\n${expected.join('\n')}`);
  if (kills.length > BREAKER.maxKillsPerHour) v.push(`${kills.length} kills: over the breaker's ${BREAKER.maxKillsPerHour} per hour`);
  const perInstance = new Map<string, number>();
  kills.forEach((k) => perInstance.set(instanceOf(k.path)!, (perInstance.get(instanceOf(k.path)!) ?? 0) + 1));
  for (const [id, n] of perInstance) if (n > BREAKER.maxKillsPerHourPerInstance) v.push(`${n} kills on ${id}: over ${BREAKER.maxKillsPerHourPerInstance} per instance`);
  return v;
}

/** Every instance the emulator was asked about must come from a case that got past the no-DCS decisions. */
function attributionViolations(run: BatchRun<FuzzCase & { instanceId?: string }>, instancesOfCase: (c: any) => string[]): string[] {
  const allowedToQuery = new Set<string>();
  for (const o of run.outcomes) {
    if (o.records.some((r) => !NO_DCS_DECISIONS.has(r.decision))) instancesOfCase(o.case).forEach((id) => allowedToQuery.add(id.toLowerCase()));
  }
  const v: string[] = [];
  for (const [id, ops] of requestsByInstance()) {
    if (id === '(none)') continue;
    if (!allowedToQuery.has(id.toLowerCase())) v.push(`${ops.join(', ')} on ${id}: no case that names it got past input checks and policy`);
  }
  return v;
}

/** Labels and counts of a batch, for the log: what was actually exercised. */
function summary(name: string, seed: number, cases: FuzzCase[], extra: Record<string, number> = {}): void {
  const extras = Object.entries(extra).map(([k, n]) => `${k} ${n}`).join(', ');
  console.log(`fuzz ${name}: ${cases.length} cases, seed ${seed}${extras ? `; ${extras}` : ''}`);
}

function countBy<T>(items: T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

// ---- the batches ----

describe('alarm handler, SMN HTTP(S) messages (APIG and bare)', () => {
  test('A: signed messages (real Huawei and test-signed), tampered or intact: only intact ones act, confirm or reach DCS', async () => {
    const seed = fuzzSeed(1);
    const cases = fc.sample(signedCases(Date.now(), hosts.endpoints), { seed, numRuns: 2000 });
    const run = await runBatch(s, 'alarm', cases, {
      env: { ...BASE_ENV, SMN_MAX_AGE_SECONDS: '0', SMN_SIGNING_CERT: `+${SIGNING_CERT_FILE}` },
    });
    const v = [...run.violations];
    const requested = requestsByInstance();
    const confirmed = countBy(hosts.confirm.requests, (r) => /token=([0-9a-f]+)/.exec(r)?.[1] ?? r);

    for (const { index, case: c, records, value } of run.outcomes) {
      const say = (what: string) => v.push(`#${index} [${c.label}] ${what}`);
      const { kind, instanceId, token } = c.base;
      if (kind === 'test-alarm' && !c.authentic && requested.has(instanceId!)) say(`tampered, yet DCS was called: ${requested.get(instanceId!)}`);
      if (kind === 'test-confirm' && !c.authentic && confirmed[token!]) say('tampered, yet the subscription was confirmed');
      if (!c.authentic) {
        if (!allRejected(records)) say(`tampered or refused input not rejected: ${decisionsOf(records)}`);
        const status = statusOf(value);
        if (status !== null && (status < 400 || status >= 500)) say(`tampered input answered ${status}`);
        continue;
      }
      if (kind === 'test-alarm' && (decisionsOf(records).includes('rejected') || !requested.has(instanceId!))) say(`authentic alarm not acted on: ${decisionsOf(records)}`);
      if (kind === 'test-confirm' && (decisionsOf(records).join() !== 'subscription_confirmed' || confirmed[token!] !== 1)) {
        say(`authentic confirmation: ${decisionsOf(records)}, ${confirmed[token!] ?? 0} GET(s)`);
      }
      if (kind === 'real-alarm' && decisionsOf(records).includes('rejected')) say(`authentic real alarm rejected: ${records[0]?.reason}`);
      if (kind === 'real-dataarts' && decisionsOf(records).join() !== 'skipped_no_rule') say(`authentic DataArts notification: ${decisionsOf(records)}`);
      if (kind === 'real-confirm' && !(allRejected(records) && records[0]!.error?.httpStatus === 403)) say(`real confirmation to a console host not allowed: ${decisionsOf(records)}`);
    }
    const authenticInstances = new Set(cases.filter((c) => c.authentic && c.base.instanceId).map((c) => c.base.instanceId!));
    for (const [id, ops] of requested) if (!authenticInstances.has(id)) v.push(`${ops.join(', ')} on ${id}: no authentic message names it`);
    const authenticTokens = new Set(cases.filter((c) => c.authentic && c.base.token).map((c) => c.base.token!));
    for (const token of Object.keys(confirmed)) if (!authenticTokens.has(token)) v.push(`confirmation GET for ${token}: no authentic confirmation carries it`);
    v.push(...pathViolations(), ...outboundViolations(), ...signatureLeaks(run.stdout, cases.map((c) => c.base.message.signature!)));
    v.push(...tokenLeaks(run.stdout, cases.flatMap((c) => (c.base.token ? [c.base.token] : []))));

    const authentic = cases.filter((c) => c.authentic).length;
    summary('A (signed)', seed, cases, { authentic, tampered_or_refused: cases.length - authentic, dcs_requests: s.emulator.requests.length, confirmations: hosts.confirm.requests.length, cert_downloads: hosts.cert.requests.length });
    expect(report(v, seed)).toBe('');
    // The batch must exercise both sides, or the property says nothing.
    expect(authentic).toBeGreaterThan(100);
    expect(cases.length - authentic).toBeGreaterThan(1000);
    expect(Object.keys(confirmed).length).toBeGreaterThan(10);
  });

  test('A2: correctly signed but stale, future, wrong topic, wrong key, unsigned, confirmations to other hosts: refused with the right status', async () => {
    const seed = fuzzSeed(2);
    const cases = fc.sample(policyCases(Date.now(), hosts.endpoints), { seed, numRuns: 700 });
    const run = await runBatch(s, 'alarm', cases, { env: { ...BASE_ENV, SMN_SIGNING_CERT: SIGNING_CERT_FILE, SMN_TOPIC_URNS: TOPIC } });
    const v = [...run.violations];
    const requested = requestsByInstance();
    const confirmed = countBy(hosts.confirm.requests, (r) => /token=([0-9a-f]+)/.exec(r)?.[1] ?? r);

    for (const { index, case: c, records, value } of run.outcomes) {
      const say = (what: string) => v.push(`#${index} [${c.label}] ${what}`);
      const expected = POLICY_EXPECTATIONS[c.kind];
      const refused = c.delivery.refusal !== null || c.contentChanged;
      const acts = !refused && expected.decision === 'acts';
      const confirms = !refused && expected.decision === 'subscription_confirmed';
      if (requested.has(c.instanceId) !== acts) say(`DCS ${acts ? 'not called' : `called: ${requested.get(c.instanceId)}`}`);
      if ((confirmed[c.token] ?? 0) !== (confirms ? 1 : 0)) say(`${confirmed[c.token] ?? 0} confirmation GET(s)`);
      if (refused) {
        if (!allRejected(records)) say(`refused or altered input not rejected: ${decisionsOf(records)}`);
        continue;
      }
      if (expected.decision === 'acts') {
        if (decisionsOf(records).includes('rejected')) say(`fresh alarm rejected: ${records[0]?.reason}`);
        continue;
      }
      if (decisionsOf(records).some((d) => d !== expected.decision)) say(`decisions ${decisionsOf(records)}, expected ${expected.decision}: ${records[0]?.reason}`);
      const status = statusOf(value) ?? records[0]?.error?.httpStatus ?? 200;
      if (status !== expected.status) say(`status ${status}, expected ${expected.status}`);
    }
    v.push(...pathViolations(), ...outboundViolations(), ...tokenLeaks(run.stdout, cases.map((c) => c.token)));
    summary('A2 (signed, not allowed)', seed, cases, countBy(cases, (c) => c.kind));
    expect(report(v, seed)).toBe('');
  });

  test('B: random values and random SMN/APIG-shaped garbage: no DCS request, no outbound connection', async () => {
    const seed = fuzzSeed(3);
    const cases = fc.sample(garbageAlarmEvents, { seed, numRuns: 2000 });
    const run = await runBatch(s, 'alarm', cases, { env: BASE_ENV });
    const v = [...run.violations, ...outboundViolations()];
    if (s.emulator.requests.length > 0) v.push(`${s.emulator.requests.length} DCS requests from garbage: ${s.operations().slice(0, 5)}`);
    for (const server of [hosts.cert, hosts.confirm]) if (server.connections() > 0) v.push(`garbage made the function contact ${server.origin}`);
    summary('B (alarm garbage)', seed, cases, countBy(run.outcomes.flatMap((o) => o.records), (r) => r.decision));
    expect(report(v, seed)).toBe('');
  });
});

describe('alarm handler, SMN trigger events (platform-delivered, unsigned by design)', () => {
  test('C: mutated alarms act only when valid, matching a rule and allowed; kills match executed records; the breaker holds', async () => {
    const seed = fuzzSeed(4);
    const cases = fc.sample(triggerCases(DENIED), { seed, numRuns: 2000 });
    const run = await runBatch(s, 'alarm', cases, { env: BASE_ENV });
    const v = [...run.violations, ...pathViolations(), ...outboundViolations(), ...killViolations(run)];
    v.push(...attributionViolations(run, (c) => [c.instanceId]));
    const requested = requestsByInstance();
    for (const id of DENIED) if (requested.has(id)) v.push(`denied instance ${id} reached DCS: ${requested.get(id)}`);
    // A redelivered notification (same SMN message id, e.g. a duplicated record) never kills twice.
    const executedIds = run.outcomes.flatMap((o) => o.records.filter((r) => r.decision === 'executed').map((r) => r.source?.smnMessageId));
    for (const [id, n] of Object.entries(countBy(executedIds, String))) if (n > 1) v.push(`notification ${id} executed ${n} times`);
    for (const { index, case: c, records } of run.outcomes) {
      const say = (what: string) => v.push(`#${index} [${c.label}] ${what}`);
      // An intact alarm on a fresh instance must get as far as DCS (proves the batch is not all refusals).
      const firing = c.fixtureName !== 'smn-trigger.recovered.json';
      if (c.intact && firing && !DENIED.includes(c.instanceId) && c.instanceId !== INSTANCES.shop && !requested.has(c.instanceId)) {
        say(`intact alarm never reached DCS: ${decisionsOf(records)}`);
      }
      if (c.intact && DENIED.includes(c.instanceId) && decisionsOf(records).join() !== 'skipped_not_allowed') say(`denied instance: ${decisionsOf(records)}`);
    }
    const decisions = countBy(run.outcomes.flatMap((o) => o.records), (r) => r.decision);
    summary('C (SMN trigger)', seed, cases, { ...decisions, intact: cases.filter((c) => c.intact).length, kills: s.killRequests().length });
    expect(report(v, seed)).toBe('');
    expect(decisions.executed ?? 0).toBeGreaterThan(0);
    expect(decisions.skipped_rate_limit ?? 0).toBeGreaterThan(0);
  });
});

describe('cron handler', () => {
  test('D: mutated timer events kill only the targets of a named, allowed schedule; the breaker holds', async () => {
    const seed = fuzzSeed(5);
    const cases = fc.sample(timerCases(Object.keys(SCHEDULE_INSTANCES)), { seed, numRuns: 1200 });
    const run = await runBatch(s, 'cron', cases, { env: BASE_ENV });
    const v = [...run.violations, ...pathViolations(), ...killViolations(run)];
    v.push(...attributionViolations(run, (c) => (c.schedule && SCHEDULE_INSTANCES[c.schedule] ? [SCHEDULE_INSTANCES[c.schedule]!] : [])));
    if (requestsByInstance().has(DENIED[0]!)) v.push('the denied schedule target reached DCS');
    const decisions = countBy(run.outcomes.flatMap((o) => o.records), (r) => r.decision);
    summary('D (timer)', seed, cases, { ...decisions, kills: s.killRequests().length });
    expect(report(v, seed)).toBe('');
    expect(decisions.executed ?? 0).toBeGreaterThan(0);
  });

  test('B: random values and timer-shaped garbage: no DCS request', async () => {
    const seed = fuzzSeed(6);
    const cases = fc.sample(garbageTimerEvents, { seed, numRuns: 1500 });
    const run = await runBatch(s, 'cron', cases, { env: BASE_ENV });
    const v = [...run.violations];
    if (s.emulator.requests.length > 0) v.push(`${s.emulator.requests.length} DCS requests from garbage: ${s.operations().slice(0, 5)}`);
    summary('B (timer garbage)', seed, cases, countBy(run.outcomes.flatMap((o) => o.records), (r) => r.decision));
    expect(report(v, seed)).toBe('');
  });
});

/** A subscribe_url token confirms the subscription for whoever holds it: it must never be printed. */
function tokenLeaks(stdout: string, tokens: string[]): string[] {
  const printed = new Set(stdout.match(/[0-9a-f]{32}/g) ?? []);
  return tokens.filter((t) => printed.has(t)).map((t) => `a subscription token was printed: ${t.slice(0, 6)}…`);
}

/** No signature fed in (test-signed ones included) may show up in any output line. */
function signatureLeaks(stdout: string, signatures: string[]): string[] {
  const printed = new Set(stdout.match(/[A-Za-z0-9+/]{40,}={0,2}/g) ?? []);
  return [...new Set(signatures)].filter((sig) => printed.has(sig)).map((sig) => `a signature was printed: ${sig.slice(0, 12)}…`);
}
