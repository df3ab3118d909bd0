/**
 * Exactly once, under transport faults: the BUILT alarm bundle, one process per
 * delivery (a notification, then three SMN redeliveries of it, as after a 503
 * or a lost answer), through a real TLS front to the DCS emulator, the guard on
 * a real redis-server shared by the deliveries.
 *
 * The first delivery's kill-all is broken in one way; the redeliveries pass.
 * Whatever the fault, at most one kill-all acts at the emulator; a kill whose
 * outcome is unknown is never sent again (claim kept, 200: SMN does not
 * redeliver); one that provably never left releases the claim and answers 503,
 * and the redelivery acts.
 */
import { invokeBundle, fixture, type Invocation } from '../support/bundle';
import { describeWithRedis, useRedisServer } from '../support/redis-server';
import { ACTING_POLICY, DEMO, INSTANCES, PROJECT, unsignedWebhookEvent, useScenario } from '../support/scenario';
import { TlsFront, type FrontFault } from '../support/tls-front';
import { TLS_CA_FILE } from '../fuzz/support/servers';

/** A fault at the front (TLS, TCP), or an answer of the emulator. */
type Fault = FrontFault | '5xx' | '429';

/** How each fault must end for the first delivery: nothing happened (retry: 503), or maybe it did (unknown: 200). */
const CASES: ReadonlyArray<{ fault: Fault; first: 'retry' | 'unknown'; code: string }> = [
  { fault: 'refuse', first: 'retry', code: 'connection_refused' },
  { fault: 'handshake', first: 'retry', code: 'tls_failure' },
  { fault: 'reset-after-request', first: 'unknown', code: 'connection_reset' },
  { fault: 'garbage-after-answer', first: 'unknown', code: 'tls_failure' },
  { fault: 'timeout', first: 'unknown', code: 'timeout' },
  { fault: '5xx', first: 'unknown', code: 'DCS.5000' },
  { fault: '429', first: 'retry', code: 'APIGW.0308' },
];

const POLICY = {
  ...ACTING_POLICY,
  // A cold process on a loaded machine must not read as a store outage; the kill job is not followed.
  guard: { cooldownSeconds: 900, maxKillsPerHour: 20, maxKillsPerHourPerInstance: 20, storeTimeoutMs: 5000 },
  jobs: { waitSeconds: 0 },
};

const RUN = Math.floor(Math.random() * 0xffffffff).toString(16).padStart(8, '0');

describeWithRedis('exactly once: one notification, three redeliveries, a broken kill-all', () => {
  const s = useScenario();
  const redis = useRedisServer();
  let front: TlsFront;

  beforeAll(async () => {
    front = await TlsFront.start(s.emulator.url);
  });
  afterAll(async () => {
    await front?.close();
  });
  beforeEach(async () => {
    await front.heal();
  });

  const deliver = (event: unknown): Promise<Invocation> =>
    invokeBundle('alarm', [event], {
      env: {
        HUAWEICLOUD_SDK_AK: DEMO.ak,
        HUAWEICLOUD_SDK_SK: DEMO.sk,
        HUAWEICLOUD_SDK_PROJECT_ID: PROJECT,
        DCS_ENDPOINT: front.url,
        DCS_TIMEOUT_MS: '1500',
        NODE_EXTRA_CA_CERTS: TLS_CA_FILE,
        GUARD_POLICY: JSON.stringify(POLICY),
        GUARD_REDIS_URL: redis.url,
        SMN_ALLOW_UNSIGNED: 'true',
        SMN_MAX_AGE_SECONDS: '0',
        SMN_CERT_HOSTS: 'none',
        SMN_CONFIRM_HOSTS: 'none',
      },
    });

  /** The one decision of a delivery and the HTTP status it was answered with. */
  const outcome = (run: Invocation) => {
    expect(run.results).toHaveLength(1);
    const response = (run.results[0] as { ok: true; value: any }).value;
    expect(run.audit).toHaveLength(1);
    return { status: response.statusCode as number, record: run.audit[0]!, answered: JSON.parse(response.body).results[0] };
  };
  const claimHeld = () => redis.cli('KEYS', '*cooldown*') !== '';
  const kills = () => s.killRequests();

  test.each(CASES)('$fault → first delivery $first', async ({ fault, first, code }) => {
    const event = unsignedWebhookEvent(`${RUN}${String(CASES.findIndex((c) => c.fault === fault)).padStart(24, '0')}`);
    if (fault === '5xx') s.emulator.faults.add({ operation: 'hangUpKillAllClients', status: 500, times: 1 });
    else if (fault === '429') s.emulator.faults.add({ operation: 'hangUpKillAllClients', status: 429, times: 3 });
    else front.breakNextKill(fault);

    const one = outcome(await deliver(event));
    expect(one.answered).toEqual(one.record);
    expect(one.record).toMatchObject({ decision: 'failed', target: { instanceId: INSTANCES.shop }, error: { code } });
    if (first === 'unknown') {
      expect(one.status).toBe(200);
      expect(one.record.reason).toMatch(/may or may not have been carried out; it will not be re-sent/);
      expect(claimHeld()).toBe(true);
    } else {
      expect(one.status).toBe(503);
      expect(claimHeld()).toBe(false);
    }
    await front.heal();

    const redeliveries = [];
    for (let i = 0; i < 3; i++) redeliveries.push(outcome(await deliver(event)));
    const expected = first === 'unknown' ? ['skipped_duplicate', 'skipped_duplicate', 'skipped_duplicate'] : ['executed', 'skipped_duplicate', 'skipped_duplicate'];
    expect(redeliveries.map((r) => [r.record.decision, r.status])).toEqual(expected.map((d) => [d, 200]));
    expect(claimHeld()).toBe(true);

    // At the emulator: at most one kill-all acted (answered 200), and an unknown one was never sent again.
    expect(kills().filter((k) => k.status === 200).length).toBeLessThanOrEqual(1);
    if (first === 'unknown') expect(kills()).toHaveLength(1);
    else expect(kills().filter((k) => k.status === 200)).toHaveLength(1);
  });
});
