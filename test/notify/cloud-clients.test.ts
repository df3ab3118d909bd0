/**
 * The SMN and Cloud Eye clients (sdk-core, real signer) against the emulator over real HTTP:
 * the emulator verifies the signature, records what arrived, and injects faults.
 */
import { startEmulator, type Emulator } from '../../dev/emulator/server';
import { resolveCesConfig, resolveSmnConfig } from '../../lib/cloud/endpoints';
import { DcsError } from '../../lib/dcs/errors';
import { CesClient } from '../../lib/metrics/ces-client';
import { SmnClient } from '../../lib/notify/smn-client';
import { DEMO } from '../emulator/support';

const TOPIC = `urn:smn:cn-north-4:${DEMO.projectId}:dcs-guard-actions`;

describe('SMN publishMessage and Cloud Eye createMetricData against the emulator', () => {
  let emulator: Emulator;
  const env = () => ({ HUAWEICLOUD_SDK_AK: DEMO.ak, HUAWEICLOUD_SDK_SK: DEMO.sk, HUAWEICLOUD_SDK_PROJECT_ID: DEMO.projectId, SMN_ENDPOINT: emulator.url, CES_ENDPOINT: emulator.url });
  const smn = (timeoutMs = 2000) => {
    const config = resolveSmnConfig(env(), undefined, TOPIC, timeoutMs);
    if (!config.ok) throw new Error(config.error);
    return new SmnClient(config.value);
  };
  const ces = (timeoutMs = 2000) => {
    const config = resolveCesConfig(env(), undefined, timeoutMs);
    if (!config.ok) throw new Error(config.error);
    return new CesClient(config.value);
  };

  beforeAll(async () => {
    emulator = await startEmulator({ jobDurationMs: 0 });
  });
  afterAll(() => emulator.close());
  beforeEach(() => emulator.reset());

  it('publishes a signed message to the topic named by its URN', async () => {
    const answer = await smn().publishMessage({ topicUrn: TOPIC, body: { subject: 'subject ü', message: 'line 1\nline 2' } });
    expect(answer.messageId).toMatch(/^[0-9a-f]{32}$/);
    const [recorded] = emulator.requests;
    expect(recorded).toMatchObject({ operation: 'publishMessage', authOk: true, status: 200, method: 'POST', body: { subject: 'subject ü', message: 'line 1\nline 2' } });
    expect(recorded?.path).toBe(`/v2/${DEMO.projectId}/notifications/topics/${TOPIC}/publish`);
  });

  it('sends metric data as a signed JSON array; Cloud Eye answers 201 with no body', async () => {
    const item = { metric: { namespace: 'CUSTOM.DCSGUARD', metric_name: 'executed', dimensions: [{ name: 'instance_id', value: DEMO.shop }] }, ttl: 172800, collect_time: Date.now(), value: 2, unit: 'count', type: 'int' as const };
    await expect(ces().createMetricData({ body: [item] })).resolves.toBeUndefined();
    expect(emulator.requests[0]).toMatchObject({ operation: 'createMetricData', authOk: true, status: 201, path: `/V1.0/${DEMO.projectId}/metric-data`, body: [item] });
  });

  it('checks limits before sending: a subject over 512 bytes or with a line break, a bad URN', async () => {
    const client = smn();
    await expect(client.publishMessage({ topicUrn: TOPIC, body: { subject: 'é'.repeat(257), message: 'm' } })).rejects.toMatchObject({ kind: 'invalid_request', code: 'invalid_subject' });
    await expect(client.publishMessage({ topicUrn: TOPIC, body: { subject: 'a\nb', message: 'm' } })).rejects.toMatchObject({ code: 'invalid_subject' });
    await expect(client.publishMessage({ topicUrn: `${TOPIC}/../x`, body: { message: 'm' } })).rejects.toMatchObject({ code: 'invalid_topic_urn' });
    expect(emulator.requests).toHaveLength(0);
  });

  it('a wrong secret key is refused by the emulator\'s signature check and surfaces as unauthorized', async () => {
    const config = resolveSmnConfig({ ...env(), HUAWEICLOUD_SDK_SK: 'wrong-secret-key-00000000' }, undefined, TOPIC, 2000);
    if (!config.ok) throw new Error(config.error);
    const error = await new SmnClient(config.value).publishMessage({ topicUrn: TOPIC, body: { message: 'm' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DcsError);
    expect(error).toMatchObject({ kind: 'unauthorized', httpStatus: 401 });
    expect(String((error as Error).message)).not.toContain('wrong-secret-key');
    expect(emulator.requests[0]?.authOk).toBe(false);
  });

  it.each([
    [{ status: 503 }, 'server'],
    [{ reset: true }, 'outcome_unknown'],
    [{ redirectTo: 'http://127.0.0.1:1/elsewhere' }, 'rejected'],
  ])('fault %j surfaces as %s, sent once', async (fault, kind) => {
    emulator.faults.add({ operation: 'publishMessage', ...fault });
    await expect(smn().publishMessage({ topicUrn: TOPIC, body: { message: 'm' } })).rejects.toMatchObject({ kind });
    expect(emulator.requests.filter((r) => r.operation === 'publishMessage')).toHaveLength(1);
  });

  it('a hanging endpoint costs at most the deadline', async () => {
    emulator.faults.add({ operation: 'createMetricData', hang: true });
    const started = Date.now();
    const item = { metric: { namespace: 'CUSTOM.DCSGUARD', metric_name: 'failed', dimensions: [{ name: 'instance_id', value: 'none' }] }, ttl: 60, collect_time: Date.now(), value: 1 };
    await expect(ces(10_000).createMetricData({ body: [item] }, { deadlineEpochMs: started + 300 })).rejects.toMatchObject({ kind: 'outcome_unknown', code: 'timeout' });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('no time left: not sent at all', async () => {
    await expect(smn().publishMessage({ topicUrn: TOPIC, body: { message: 'm' } }, { deadlineEpochMs: Date.now() + 10 })).rejects.toMatchObject({ kind: 'not_sent', code: 'deadline_exceeded' });
    expect(emulator.requests).toHaveLength(0);
  });

  it('the SMN region and project come from the URN; Cloud Eye needs CES_ENDPOINT or DCS_REGION', () => {
    const base = { HUAWEICLOUD_SDK_AK: DEMO.ak, HUAWEICLOUD_SDK_SK: DEMO.sk, HUAWEICLOUD_SDK_PROJECT_ID: DEMO.projectId };
    const other = `urn:smn:ap-southeast-1:${'a'.repeat(32)}:t`;
    expect(resolveSmnConfig(base, undefined, other, 1000)).toMatchObject({ ok: true, value: { endpoint: 'https://smn.ap-southeast-1.myhuaweicloud.com', projectId: 'a'.repeat(32) } });
    expect(resolveCesConfig({ ...base, DCS_REGION: 'cn-north-4' }, undefined, 1000)).toMatchObject({ ok: true, value: { endpoint: 'https://ces.cn-north-4.myhuaweicloud.com', projectId: DEMO.projectId } });
    const missing = resolveCesConfig(base, undefined, 1000);
    expect(missing).toMatchObject({ ok: false });
    expect(!missing.ok && missing.error).toContain('CES_ENDPOINT or DCS_REGION');
    const plain = resolveCesConfig({ ...base, CES_ENDPOINT: 'http://ces.example.com' }, undefined, 1000);
    expect(!plain.ok && plain.error).toContain('https');
  });
});
