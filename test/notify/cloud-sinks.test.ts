/**
 * The SMN and Cloud Eye sinks against the emulator (real signer, real HTTP): the person-readable
 * message with the audit record below it, per-invocation metric batches, and failures that
 * leave one safe message.
 */
import { startEmulator, type Emulator } from '../../dev/emulator/server';
import { MAX_MESSAGE_BYTES } from '../../lib/notify/message';
import { DEMO } from '../emulator/support';
import { budget, entry, policyOf, record, sinksOf, TOPIC, unbounded } from './sink-fixtures';

describe('SMN and Cloud Eye sinks against the emulator', () => {
  let emulator: Emulator;
  const env = () => ({ HUAWEICLOUD_SDK_AK: DEMO.ak, HUAWEICLOUD_SDK_SK: DEMO.sk, HUAWEICLOUD_SDK_PROJECT_ID: DEMO.projectId, SMN_ENDPOINT: emulator.url, CES_ENDPOINT: emulator.url });
  beforeAll(async () => {
    emulator = await startEmulator({ jobDurationMs: 0 });
  });
  afterAll(() => emulator.close());
  beforeEach(() => emulator.reset());

  const published = () => emulator.requests.filter((r) => r.operation === 'publishMessage').map((r) => r.body as { subject: string; message: string });

  it('publishes what, where, why, job and sessions, then the audit record as JSON', async () => {
    const r = record();
    await sinksOf(policyOf({ notify: { smnTopicUrn: TOPIC } }), env()).byName('smn').write(entry(r), unbounded);
    const [message] = published();
    expect(message?.subject).toBe(`[dcs-session-guard] executed on ${DEMO.shop} node node-0001`);
    const [text = '', json = ''] = message!.message.split('\n\nAudit record:\n');
    expect(text.split('\n').slice(2)).toEqual([
      `What:     executed: ${r.reason}`,
      `Where:    instance ${DEMO.shop}, node node-0001 (project ${DEMO.projectId})`,
      'Why:      rule "connection-pressure", alarm "dcs-conn-high" (connected_clients, alarm)',
      `Job:      ${'ab'.repeat(16)} SUCCESS`,
      'Sessions: 1234 connected before on 1 node; top clients 10.0.0.7 (900)',
      'When:     2026-12-02T03:04:05.678Z (alarm, request req-1, 321 ms)',
    ]);
    expect(JSON.parse(json)).toEqual(r);
    expect(message!.message).not.toMatch(/https?:\/\//);
  });

  it('notifies only the decisions in notify.on: by default executed, failed and skipped_rate_limit', async () => {
    const smn = sinksOf(policyOf({ notify: { smnTopicUrn: TOPIC } }), env()).byName('smn');
    for (const decision of ['executed', 'dry_run', 'failed', 'skipped_cooldown', 'skipped_rate_limit', 'rejected'] as const) {
      await smn.write(entry(record({ decision })), unbounded);
    }
    expect(published().map((m) => m.subject.split(' ')[1])).toEqual(['executed', 'failed', 'skipped_rate_limit']);
  });

  it('a huge record still fits SMN\'s limits: subject <= 512 bytes, message below 256 KB', async () => {
    const long = 'ü'.repeat(200_000);
    await sinksOf(policyOf({ notify: { smnTopicUrn: TOPIC } }), env()).byName('smn').write(entry(record({ reason: long, target: { projectId: DEMO.projectId, instanceId: DEMO.shop, nodeId: 'n'.repeat(600), killAllNodes: false } })), unbounded);
    const [message] = published();
    expect(Buffer.byteLength(message!.subject)).toBeLessThanOrEqual(512);
    expect(Buffer.byteLength(message!.message)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(message!.message.endsWith('… (truncated)')).toBe(true);
  });

  it.each([
    [{ status: 500 }, 'publishMessage failed on the SMN side (HTTP 500'],
    [{ reset: true }, 'publishMessage outcome unknown'],
  ])('fault %j: one safe message, sent once', async (fault, expected) => {
    emulator.faults.add({ operation: 'publishMessage', ...fault });
    const error = await Promise.resolve(sinksOf(policyOf({ notify: { smnTopicUrn: TOPIC } }), env()).byName('smn').write(entry(record()), unbounded)).then(() => null, (e: Error) => e);
    expect(error?.message).toContain(expected);
    expect(error?.message).not.toContain(DEMO.sk);
    expect(published()).toHaveLength(1);
  });

  it('a hanging SMN endpoint is given up at the invocation deadline', async () => {
    emulator.faults.add({ operation: 'publishMessage', hang: true });
    const started = Date.now();
    await expect(sinksOf(policyOf({ notify: { smnTopicUrn: TOPIC, timeoutMs: 10_000 } }), env()).byName('smn').write(entry(record()), budget(300))).rejects.toThrow('timeout');
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('no credentials: the sink fails naming what is missing, nothing is sent', async () => {
    const smn = sinksOf(policyOf({ notify: { smnTopicUrn: TOPIC } }), { SMN_ENDPOINT: emulator.url }).byName('smn');
    await expect(smn.write(entry(record()), unbounded)).rejects.toThrow(/SMN client configuration incomplete: missing credentials/);
    expect(emulator.requests).toHaveLength(0);
  });

  it('metrics: one request per invocation, a count per decision kind and instance (instance_id dimension)', async () => {
    const metrics = sinksOf(policyOf({ metrics: { enabled: true } }), env()).byName('metrics');
    const other = { projectId: DEMO.projectId, instanceId: DEMO.proxy, nodeId: null, killAllNodes: true };
    await metrics.write(entry(record()), unbounded);
    await metrics.write(entry(record()), unbounded);
    await metrics.write(entry(record({ decision: 'skipped_rate_limit', target: other })), unbounded);
    const { target: _omitted, ...noTarget } = record({ decision: 'failed' });
    await metrics.write(entry(noTarget), unbounded);
    expect(emulator.requests).toHaveLength(0);
    const before = Date.now();
    await metrics.flush!(unbounded);
    const sent = emulator.requests.filter((r) => r.operation === 'createMetricData');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ authOk: true, status: 201 });
    const items = sent[0]!.body as Array<{ metric: { namespace: string; metric_name: string; dimensions: unknown[] }; value: number; collect_time: number; type: string }>;
    expect(items.map((i) => [i.metric.metric_name, i.metric.dimensions, i.value])).toEqual([
      ['executed', [{ name: 'instance_id', value: DEMO.shop }], 2],
      ['skipped_rate_limit', [{ name: 'instance_id', value: DEMO.proxy }], 1],
      ['failed', [{ name: 'instance_id', value: 'none' }], 1],
    ]);
    expect(items.every((i) => i.metric.namespace === 'CUSTOM.DCSGUARD' && i.type === 'int' && i.collect_time >= before - 1000)).toBe(true);
    await metrics.flush!(unbounded);
    expect(emulator.requests.filter((r) => r.operation === 'createMetricData')).toHaveLength(1);
  });

  it('metrics off (the default): nothing sent', async () => {
    const metrics = sinksOf(policyOf({}), env()).byName('metrics');
    await metrics.write(entry(record()), unbounded);
    await metrics.flush!(unbounded);
    expect(emulator.requests).toHaveLength(0);
  });

  it('metrics: a failing Cloud Eye call is one rejection with a safe message', async () => {
    emulator.faults.add({ operation: 'createMetricData', status: 403, errorCode: 'ces.0015', errorMsg: 'no permission' });
    const metrics = sinksOf(policyOf({ metrics: { enabled: true } }), env()).byName('metrics');
    await metrics.write(entry(record()), unbounded);
    await expect(metrics.flush!(unbounded)).rejects.toThrow(/createMetricData unauthorized \(HTTP 403 ces.0015/);
  });
});
