import { X509Certificate } from 'node:crypto';
import { createCertFetcher } from '../../lib/auth/cert-fetch';
import { readSmnAuthConfig, type SmnAuthConfig } from '../../lib/auth/config';
import { authenticateSmnMessage } from '../../lib/auth/verify';
import type { SmnHttpMessage } from '../../lib/fg/types';
import { useHttpsServer } from './support/https-server';
import { OTHER_CERT, OTHER_KEY, SIGNING_CERT, signedNotification, signSmn, TEST_NOW, TLS_CERT, TOPIC } from './support/keys';

function config(env: Record<string, string>): SmnAuthConfig {
  const result = readSmnAuthConfig(env);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

const testCertOnly = config({ SMN_SIGNING_CERT: SIGNING_CERT });
const authenticate = (msg: SmnHttpMessage, cfg = testCertOnly, now = TEST_NOW) => authenticateSmnMessage(msg, cfg, { now });
const refusal = (status: number, code: string) => ({ ok: false, error: expect.objectContaining({ status, code }) });

describe('authenticateSmnMessage with pinned certificates', () => {
  it('accepts a message signed by a pinned certificate', async () => {
    expect(await authenticate(signedNotification())).toEqual({
      ok: true,
      value: {
        authenticated: true,
        messageType: 'Notification',
        certSource: 'pinned',
        certLabel: 'SMN_SIGNING_CERT',
        certFingerprint256: new X509Certificate(SIGNING_CERT).fingerprint256,
      },
    });
  });
  it('accepts it too when the test certificate is added ("+") to Huawei\'s', async () => {
    expect(await authenticate(signedNotification(), config({ SMN_SIGNING_CERT: `+${SIGNING_CERT}` }))).toMatchObject({ ok: true, value: { certLabel: 'SMN_SIGNING_CERT' } });
  });
  it('accepts a message with an empty subject (subject left out of the signed text)', async () => {
    expect(await authenticate(signedNotification({ subject: '' }))).toMatchObject({ ok: true });
  });
  it('accepts a signed SubscriptionConfirmation and refuses a changed subscribe_url', async () => {
    const confirmation = signSmn({
      type: 'SubscriptionConfirmation',
      message_id: 'def5c309cbff44d5a870787ed937edf8',
      topic_urn: TOPIC,
      message: 'You are invited to subscribe',
      subscribe_url: 'https://console.huaweicloud.com/smn/subscription/confirm?token=abc',
      timestamp: new Date(TEST_NOW).toISOString(),
    });
    expect(await authenticate(confirmation)).toMatchObject({ ok: true, value: { messageType: 'SubscriptionConfirmation' } });
    expect(await authenticate({ ...confirmation, subscribe_url: 'https://evil.example/confirm?token=abc' })).toEqual(refusal(401, 'bad_signature'));
  });

  it.each([
    ['message', { message: '{"message_type":"alarm","alarm_status":"alarm","namespace":"SYS.DCS","dimension":"dcs_instance_id:00000000-0000-4000-8000-000000000000"}' }],
    ['subject', { subject: '[Minor Alarm]From Cloud Eye' }],
    ['timestamp', { timestamp: new Date(TEST_NOW - 1000).toISOString() }],
    ['message_id', { message_id: 'ffffffffffffffffffffffffffffffff' }],
    ['topic_urn', { topic_urn: 'urn:smn:cn-north-4:0b8f4a2e5c6d47e1a9b3c8d7e6f5a4b3:other' }],
  ])('refuses a tampered %s', async (_field, change) => {
    expect(await authenticate({ ...signedNotification(), ...change })).toEqual(refusal(401, 'bad_signature'));
  });
  it('refuses a message signed with another key (wrong certificate)', async () => {
    expect(await authenticate(signedNotification({}, 5, OTHER_KEY))).toEqual(refusal(401, 'bad_signature'));
  });
  it('refuses a test-signed message under the default (Huawei-only) configuration', async () => {
    expect(await authenticate(signedNotification(), config({}))).toEqual(refusal(401, 'bad_signature'));
  });
  it('skips a pinned certificate outside its validity period', async () => {
    const after = Date.parse(new X509Certificate(SIGNING_CERT).validTo) + 1000;
    const cfg = config({ SMN_SIGNING_CERT: SIGNING_CERT, SMN_MAX_AGE_SECONDS: '0' });
    expect(await authenticate(signedNotification(), cfg, after)).toEqual(refusal(401, 'bad_signature'));
  });
  it('refuses signature_version other than v1, and unknown message types', async () => {
    expect(await authenticate({ ...signedNotification(), signature_version: 'v2' })).toEqual(refusal(401, 'unsupported_signature_version'));
    expect(await authenticate({ ...signedNotification(), type: 'HttpSubscriptionUserConfirm' })).toEqual(refusal(400, 'unsupported_message_type'));
  });
});

describe('replay window', () => {
  it.each([
    [900, true],
    [901, false],
    [-60, true],
    [-61, false],
  ])('a message %d s old is %s', async (age, accepted) => {
    const result = await authenticate(signedNotification({}, age));
    if (accepted) expect(result.ok).toBe(true);
    else expect(result).toEqual(refusal(401, age > 0 ? 'stale_message' : 'future_message'));
  });
  it('refuses a missing or malformed timestamp', async () => {
    expect(await authenticate(signedNotification({ timestamp: 'yesterday' }))).toEqual(refusal(401, 'bad_timestamp'));
    const { timestamp: _t, ...noTimestamp } = signedNotification();
    expect(await authenticate(noTimestamp as SmnHttpMessage)).toEqual(refusal(401, 'bad_timestamp'));
  });
  it('honours a custom window, and 0 turns the check off', async () => {
    const old = signedNotification({}, 3 * 24 * 3600);
    expect(await authenticate(old, config({ SMN_SIGNING_CERT: SIGNING_CERT, SMN_MAX_AGE_SECONDS: '60' }))).toEqual(refusal(401, 'stale_message'));
    expect(await authenticate(old, config({ SMN_SIGNING_CERT: SIGNING_CERT, SMN_MAX_AGE_SECONDS: '0' }))).toMatchObject({ ok: true });
  });
});

describe('topic allowlist', () => {
  const allowing = (urns: string) => config({ SMN_SIGNING_CERT: SIGNING_CERT, SMN_TOPIC_URNS: urns });
  it('accepts a listed topic', async () => {
    expect(await authenticate(signedNotification(), allowing(`urn:smn:cn-north-4:abc:other,${TOPIC}`))).toMatchObject({ ok: true });
  });
  it('refuses an unknown topic with 403, before looking at age or signature', async () => {
    const forged = { ...signedNotification({}, 10_000), signature: signedNotification({ subject: 'x' }).signature };
    expect(await authenticate(forged, allowing('urn:smn:cn-north-4:abc:other'))).toEqual(refusal(403, 'topic_not_allowed'));
  });
  it('refuses a message without topic when a list is set', async () => {
    const { topic_urn: _t, ...noTopic } = signedNotification();
    expect(await authenticate(noTopic as SmnHttpMessage, allowing(TOPIC))).toEqual(refusal(403, 'topic_not_allowed'));
  });
});

describe('unsigned messages', () => {
  const { signature: _s, signature_version: _v, ...unsigned } = signedNotification();
  it('are refused by default', async () => {
    expect(await authenticate(unsigned as SmnHttpMessage)).toEqual(refusal(401, 'missing_signature'));
  });
  it('pass with SMN_ALLOW_UNSIGNED=true, flagged for loud logging', async () => {
    const cfg = config({ SMN_SIGNING_CERT: SIGNING_CERT, SMN_ALLOW_UNSIGNED: 'true' });
    expect(await authenticate(unsigned as SmnHttpMessage, cfg)).toEqual({
      ok: true,
      value: { authenticated: false, messageType: 'Notification', unsignedAllowed: true, warning: expect.stringContaining('SMN_ALLOW_UNSIGNED=true') },
    });
  });
  it('still face the topic and age checks, and a wrong signature is never excused', async () => {
    const cfg = config({ SMN_SIGNING_CERT: SIGNING_CERT, SMN_ALLOW_UNSIGNED: 'true', SMN_TOPIC_URNS: 'urn:smn:cn-north-4:abc:other' });
    expect(await authenticate(unsigned as SmnHttpMessage, cfg)).toEqual(refusal(403, 'topic_not_allowed'));
    const lax = config({ SMN_SIGNING_CERT: SIGNING_CERT, SMN_ALLOW_UNSIGNED: 'true' });
    const stale = signedNotification({}, 5000);
    const { signature: _s2, ...staleUnsigned } = stale;
    expect(await authenticate(staleUnsigned as SmnHttpMessage, lax)).toEqual(refusal(401, 'stale_message'));
    expect(await authenticate(signedNotification({}, 5, OTHER_KEY), lax)).toEqual(refusal(401, 'bad_signature'));
  });
});

describe('download fallback', () => {
  let served = SIGNING_CERT;
  const server = useHttpsServer((_req, res) => res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(served));
  beforeEach(() => {
    served = SIGNING_CERT;
  });

  // Pinned: a certificate that verifies nothing here, so only a download can succeed.
  const env = { SMN_SIGNING_CERT: OTHER_CERT, SMN_CERT_HOSTS: '127.0.0.1' };
  const certUrl = () => `${server.origin}/smn/SMN_cn-north-4_test.pem`;
  const run = (msg: SmnHttpMessage, cfg: SmnAuthConfig) => authenticateSmnMessage(msg, cfg, { now: TEST_NOW, fetchCert: createCertFetcher({ ca: TLS_CERT }) });

  it('verifies with the certificate downloaded from an allowed host', async () => {
    const result = await run(signedNotification({ signing_cert_url: certUrl() }), config(env));
    expect(result).toEqual({
      ok: true,
      value: expect.objectContaining({ authenticated: true, certSource: 'downloaded', certLabel: certUrl(), certFingerprint256: new X509Certificate(SIGNING_CERT).fingerprint256 }),
    });
    expect(server.requests).toEqual(['GET /smn/SMN_cn-north-4_test.pem']);
  });
  it('refuses when the downloaded certificate does not verify the message', async () => {
    served = OTHER_CERT;
    expect(await run(signedNotification({ signing_cert_url: certUrl() }), config(env))).toEqual(refusal(401, 'bad_signature'));
  });
  it('never contacts a host that is not allowed (default hosts: smn.<region>.myhuaweicloud.com)', async () => {
    const result = await run(signedNotification({ signing_cert_url: certUrl() }), config({ SMN_SIGNING_CERT: OTHER_CERT }));
    expect(result).toEqual(refusal(401, 'cert_url_not_allowed'));
    expect(server.requests).toEqual([]);
  });
  it('does not download when a pinned certificate already verifies', async () => {
    const result = await run(signedNotification({ signing_cert_url: certUrl() }), config({ ...env, SMN_SIGNING_CERT: SIGNING_CERT }));
    expect(result).toMatchObject({ ok: true, value: { certSource: 'pinned' } });
    expect(server.requests).toEqual([]);
  });
  it('does not download for a message refused earlier (stale)', async () => {
    expect(await run(signedNotification({ signing_cert_url: certUrl() }, 5000), config(env))).toEqual(refusal(401, 'stale_message'));
    expect(server.requests).toEqual([]);
  });
});
