/**
 * The decision sinks through the built bundle, against real servers: the emulator (DCS, SMN,
 * Cloud Eye), a local HTTPS webhook receiver (test-only certificate, trusted through
 * NODE_EXTRA_CA_CERTS as a user with a private CA would) and a real redis-server. A kill
 * produces an SMN publish, a signed webhook delivery, a history entry and a metric; a failing
 * or hanging sink leaves the decision as it was and costs one log line; no secret and no
 * webhook path or query appears in any output.
 */
import { createHmac } from 'node:crypto';
import * as path from 'node:path';
import { main } from '../../bin/dcs-session-guard';
import type { Io } from '../../bin/cli/io';
import type { Layout } from '../../dev/runner/layout';
import { startWebhookReceiver, type WebhookReceiver } from '../../dev/webhook-receiver';
import { fixture } from '../support/bundle';
import { ACTING_POLICY, INSTANCES, PROJECT, Scenario } from '../support/scenario';
import { describeWithRedis, startRedisServer, type RedisServerHandle } from '../support/redis-server';
import { TLS } from '../notify/sink-fixtures';

const TOPIC = `urn:smn:cn-north-4:${PROJECT}:dcs-guard-actions`;
const SECRET = 'SEC-e2e-webhook-secret-4c2a9d7b1e';
const QUERY_KEY = 'e2e-robot-key-0f9e8d7c6b5a';
const CA_FILE = path.resolve(__dirname, '..', 'fixtures', 'keys', 'test-only.tls-localhost.cert.pem');

describeWithRedis('decision sinks through the bundle', () => {
  let s: Scenario;
  let receiver: WebhookReceiver;
  let redis: RedisServerHandle;
  beforeAll(async () => {
    s = await Scenario.start();
    receiver = await startWebhookReceiver({ tls: TLS });
    redis = (await startRedisServer())!;
  });
  afterAll(async () => {
    await s?.close();
    await receiver?.close();
    await redis?.stop();
  });
  beforeEach(() => {
    s.reset();
    receiver.reset();
  });

  const prefix = () => `e2e-${Math.random().toString(36).slice(2, 8)}:`;
  const policy = (notify: Record<string, unknown> = {}) => ({
    ...ACTING_POLICY,
    notify: {
      smnTopicUrn: TOPIC,
      webhooks: [{ urlEnv: 'HOOK_URL', format: 'generic', secretEnv: 'HOOK_SECRET' }],
      ...notify,
    },
    metrics: { enabled: true },
  });
  const env = (keyPrefix: string, notify?: Record<string, unknown>) =>
    s.env(
      {
        SMN_ENDPOINT: s.emulator.url,
        CES_ENDPOINT: s.emulator.url,
        GUARD_REDIS_URL: redis.url,
        GUARD_REDIS_PREFIX: keyPrefix,
        HOOK_URL: `${receiver.origin}/hooks/guard?key=${QUERY_KEY}`,
        HOOK_SECRET: SECRET,
        NODE_EXTRA_CA_CERTS: CA_FILE,
      },
      policy(notify),
    );
  const operations = (op: string) => s.emulator.requests.filter((r) => r.operation === op);
  const noLeak = (output: string) => {
    for (const hidden of [SECRET, QUERY_KEY, '/hooks/guard', 'key=']) expect(output).not.toContain(hidden);
  };

  it('a kill: audit line, SMN publish, signed webhook delivery, history entry and one metric batch', async () => {
    const keyPrefix = prefix();
    const run = await s.invoke('alarm', [fixture('smn-trigger.node-alarm.json')], { env: env(keyPrefix) });
    expect(run.audit.map((a) => a.decision)).toEqual(['executed']);
    const record = run.audit[0]!;
    expect(run.lines.filter((l) => l.type === 'log')).toEqual([]);

    const [published] = operations('publishMessage');
    expect(published).toMatchObject({ authOk: true, status: 200 });
    expect((published!.body as { subject: string }).subject).toBe(`[dcs-session-guard] executed on ${INSTANCES.shop} node ${record.target.nodeId}`);
    expect(JSON.parse((published!.body as { message: string }).message.split('\n\nAudit record:\n')[1]!)).toEqual(record);

    const [delivery] = receiver.deliveries;
    expect(JSON.parse(delivery!.body)).toEqual(record);
    expect(delivery!.headers['x-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(delivery!.body).digest('hex')}`);

    const [metrics] = operations('createMetricData');
    expect(metrics).toMatchObject({ authOk: true, status: 201 });
    expect(metrics!.body).toEqual([expect.objectContaining({ metric: { namespace: 'CUSTOM.DCSGUARD', metric_name: 'executed', dimensions: [{ name: 'instance_id', value: INSTANCES.shop }] }, value: 1 })]);

    const out: string[] = [];
    const io: Io = { out: (t) => void out.push(t), err: (t) => void out.push(t), env: { GUARD_REDIS_URL: redis.url, GUARD_REDIS_PREFIX: keyPrefix }, cwd: process.cwd(), layout: {} as Layout };
    expect(await main(['history', '--json'], io)).toBe(0);
    expect(out.map((l) => JSON.parse(l))).toEqual([record]);
    noLeak(run.stdout + run.stderr);
  });

  it('a decision outside notify.on: history and metrics only', async () => {
    const run = await s.invoke('alarm', [fixture('smn-trigger.recovered.json')], { env: env(prefix()) });
    expect(run.audit.map((a) => a.decision)).toEqual(['skipped_recovered']);
    expect(operations('publishMessage')).toHaveLength(0);
    expect(receiver.deliveries).toHaveLength(0);
    expect(operations('createMetricData')).toHaveLength(1);
  });

  it('rejected input reaches no sink', async () => {
    const run = await s.invoke('alarm', [{ unexpected: 'shape' }], { env: env(prefix()) });
    expect(run.audit.map((a) => a.decision)).toEqual(['rejected']);
    expect(s.emulator.requests).toHaveLength(0);
    expect(receiver.deliveries).toHaveLength(0);
  });

  it.each([
    ['HTTP 500', { kind: 'reply', status: 500 } as const, 'HTTP 500'],
    ['a reset', { kind: 'reset' } as const, 'ECONNRESET'],
  ])('a webhook failing with %s: the decision is unchanged, one log line names the sink by origin', async (_what, answer, cause) => {
    receiver.answerNext(answer);
    const run = await s.invoke('alarm', [fixture('smn-trigger.node-alarm.json')], { env: env(prefix()) });
    expect(run.audit.map((a) => a.decision)).toEqual(['executed']);
    expect(s.killRequests()).toHaveLength(1);
    const logs = run.lines.filter((l) => l.type === 'log');
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ level: 'WARN', sink: 'webhooks' });
    expect(logs[0]!.message).toContain(`generic#1 (${receiver.origin})`);
    expect(logs[0]!.message).toContain(cause);
    expect(operations('publishMessage')).toHaveLength(1);
    noLeak(run.stdout + run.stderr);
  });

  it('SMN failing: the decision is unchanged, one log line, the other sinks still deliver', async () => {
    s.emulator.faults.add({ operation: 'publishMessage', status: 503 });
    const run = await s.invoke('alarm', [fixture('smn-trigger.node-alarm.json')], { env: env(prefix()) });
    expect(run.audit.map((a) => a.decision)).toEqual(['executed']);
    const logs = run.lines.filter((l) => l.type === 'log');
    expect(logs.map((l) => l.sink)).toEqual(['smn']);
    expect(logs[0]!.message).toContain('publishMessage failed on the SMN side (HTTP 503');
    expect(receiver.deliveries).toHaveLength(1);
    expect(operations('createMetricData')).toHaveLength(1);
  });

  it('a kill whose job outlasts the budget: the job is left PENDING a second early and every sink still gets the decision', async () => {
    const slow = await Scenario.start({ jobDurationMs: 60_000 });
    try {
      const slowEnv = { ...env(prefix()), DCS_ENDPOINT: slow.emulator.url, SMN_ENDPOINT: slow.emulator.url, CES_ENDPOINT: slow.emulator.url };
      const run = await slow.invoke('alarm', [fixture('smn-trigger.node-alarm.json')], { env: slowEnv, context: { remainingMs: 6000 } });
      expect(run.audit.map((a) => [a.decision, a.job?.status])).toEqual([['executed', 'PENDING']]);
      expect(run.lines.filter((l) => l.type === 'log')).toEqual([]);
      const ops = slow.emulator.requests.map((r) => r.operation);
      expect(ops).toEqual(expect.arrayContaining(['publishMessage', 'createMetricData']));
      expect(receiver.deliveries).toHaveLength(1);
    } finally {
      await slow.close();
    }
  });

  it('a hanging webhook does not hold the answer past the invocation budget', async () => {
    receiver.answerNext({ kind: 'hang' });
    const started = Date.now();
    // 4 s left: the budget ends 1 s before; the webhook's own timeout (20 s) is far beyond it.
    const run = await s.invoke('alarm', [fixture('smn-trigger.node-alarm.json')], { env: env(prefix(), { timeoutMs: 10_000 }), context: { remainingMs: 4000 } });
    const elapsed = Date.now() - started;
    expect(run.results[0]).toMatchObject({ ok: true });
    expect(run.audit.map((a) => a.decision)).toEqual(['executed']);
    expect(receiver.deliveries).toHaveLength(1);
    const logs = run.lines.filter((l) => l.type === 'log');
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ sink: 'webhooks' });
    expect(elapsed).toBeLessThan(10_000);
  });
});
