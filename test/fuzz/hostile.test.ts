/**
 * The hostile cases of issue 5, end to end: APIG events (base64 body, as
 * FunctionGraph delivers the webhook) through the BUILT alarm bundle, with the
 * DCS emulator and local HTTPS/HTTP servers standing for the certificate and
 * confirmation hosts, allowed and not.
 *
 * Each case must be answered 401/403 in APIG shape, audited as `rejected`,
 * cause zero DCS requests, and leave the disallowed hosts uncontacted. Each
 * group has a positive control (the same path with everything right), so a
 * check that refuses everything would fail here too.
 * (test/auth covers the same rules at unit level; test/pipeline the bare-message form.)
 */
import type { SmnHttpMessage } from '../../lib/fg/types';
import { OTHER_CERT, OTHER_KEY, SIGNING_CERT } from '../auth/support/keys';
import { fixture } from '../support/bundle';
import { ACTING_POLICY, INSTANCES, REAL_PROJECT, Scenario } from '../support/scenario';
import { useSuiteResource } from '../support/suite-resource';
import { LOCAL_HOSTS_ENV, OTHER_CERT_FILE, SIGNING_CERT_FILE, useSmnHosts } from './support/servers';
import { REAL_ALARM, REAL_ALARM_INSTANCE, REAL_CONFIRMATION, testAlarm, testConfirmation, TOPIC } from './support/signed';

const s = useSuiteResource(() => Scenario.start(), { reset: (scenario) => scenario.reset(), close: (scenario) => scenario.close() });

const CERT_ROUTES: Record<string, string> = {
  '/smn/good.pem': SIGNING_CERT,
  '/smn/other.pem': OTHER_CERT,
  '/smn/big.pem': SIGNING_CERT + ' '.repeat(20 * 1024),
  '/smn/cert.txt': SIGNING_CERT,
};
const hosts = useSmnHosts({
  cert: (req, res) => {
    const body = CERT_ROUTES[req.url ?? ''];
    return body === undefined ? res.writeHead(404).end() : res.writeHead(200).end(body);
  },
  // The disallowed hosts serve the RIGHT certificate: only the URL rules stand between them and a verified forgery.
  plain: (_req, res) => res.writeHead(200).end(SIGNING_CERT),
});

/** Offline: downloads and confirmations may only go to the local allowed servers. Kill jobs are not followed (speed). */
const ENV = { ...LOCAL_HOSTS_ENV, GUARD_POLICY: JSON.stringify({ ...ACTING_POLICY, jobs: { waitSeconds: 0 } }) };
const TRUST_TEST_CERT = { ...ENV, SMN_SIGNING_CERT: SIGNING_CERT_FILE };
/** Pinned: a certificate that verifies none of the test messages, so only a download could. */
const PIN_OTHER = { ...ENV, SMN_SIGNING_CERT: OTHER_CERT_FILE };
const REAL_ENV = { ...ENV, SMN_MAX_AGE_SECONDS: '0', HUAWEICLOUD_SDK_PROJECT_ID: REAL_PROJECT, HUAWEICLOUD_SDK_AK: 'DEMOACCESSKEYID00002', HUAWEICLOUD_SDK_SK: 'DEMO-SECRET-KEY-not-a-real-secret-00002' };

/** The webhook request as FunctionGraph hands it to the function: base64 body, X-SMN-* headers. */
function apigEvent(message: SmnHttpMessage): Record<string, unknown> {
  return {
    body: Buffer.from(JSON.stringify(message), 'utf8').toString('base64'),
    requestContext: { apiId: 'bc1dcffd-aa35-474d-897c-d53425a4c08e', requestId: '11cdcdcf33949dc6d722640a13091c77', stage: 'RELEASE' },
    httpMethod: 'POST',
    path: '/cloudeye',
    headers: {
      'content-type': 'application/json; charset=UTF-8',
      'x-smn-message-type': message.type,
      ...(message.message_id ? { 'x-smn-message-id': message.message_id } : {}),
      ...(message.topic_urn ? { 'x-smn-topic-urn': message.topic_urn } : {}),
    },
    queryStringParameters: {},
    pathParameters: {},
    isBase64Encoded: true,
  };
}

const spec = (overrides: Partial<Parameters<typeof testAlarm>[0]> = {}) => ({
  now: Date.now(),
  instanceId: INSTANCES.shop,
  messageId: `${Date.now().toString(16)}${Math.random().toString(16).slice(2)}`.slice(0, 32).padEnd(32, '0'),
  endpoints: hosts.endpoints,
  ...overrides,
});
/** A fresh test-signed alarm whose signing_cert_url is `url` (the URL is not signed). */
function resignedWithUrl(url: string): SmnHttpMessage {
  return { ...testAlarm(spec()), signing_cert_url: url };
}

interface Expectation {
  status: 401 | 403;
  code: string;
}

/** Runs the events in one warm process; every one must be refused as expected with zero DCS requests. */
async function expectRefused(env: Record<string, string>, cases: Array<[string, Record<string, unknown>, Expectation]>): Promise<void> {
  const run = await s.invoke('alarm', cases.map(([, event]) => event), { env, context: { requestId: 'hostile' } });
  cases.forEach(([label, , expected], i) => {
    const result = run.results[i];
    const response = result?.ok ? (result.value as Record<string, any>) : null;
    const records = run.audit.filter((r) => r.requestId === `hostile-${i}`);
    const seen = { label, status: response?.statusCode, error: typeof response?.body === 'string' ? JSON.parse(response.body).error : null, decisions: records.map((r) => r.decision), code: records[0]?.error?.code };
    expect(seen).toEqual({ label, status: expected.status, error: expect.any(String), decisions: ['rejected'], code: expected.code });
    expect(response).toMatchObject({ isBase64Encoded: false, headers: { 'content-type': 'application/json' } });
    expect(records[0]!.target).toBeUndefined();
  });
  expect(s.emulator.requests).toEqual([]);
}

/** The disallowed hosts were never contacted (TCP level). */
function expectDisallowedUntouched(): void {
  expect({ evil: hosts.evil.connections(), plain: hosts.plain.connections() }).toEqual({ evil: 0, plain: 0 });
}

function tamper(msg: SmnHttpMessage, field: 'message' | 'subject' | 'timestamp' | 'subscribe_url'): SmnHttpMessage {
  const value = msg[field]!;
  const changed = field === 'timestamp' ? new Date(Date.parse(value) + 1000).toISOString().replace('.000Z', 'Z') : value.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a'));
  return { ...msg, [field]: changed };
}

describe('real Huawei messages (default pinned certificate, age check off)', () => {
  test('control: the real alarm, untouched, is acted on (200, executed)', async () => {
    const run = await s.invoke('alarm', [apigEvent(fixture(REAL_ALARM))], { env: REAL_ENV });
    expect((run.results[0] as any).value.statusCode).toBe(200);
    expect(run.audit.map((r) => r.decision)).toEqual(['executed']);
    expect(s.killRequests().map((k) => k.path)).toEqual([`/v2/${REAL_PROJECT}/instances/${REAL_ALARM_INSTANCE}/clients/kill-all`]);
  });

  test('tampered message, subject or timestamp of the real alarm, or subscribe_url of the real confirmation: 401, nothing done', async () => {
    const alarm = fixture(REAL_ALARM) as SmnHttpMessage;
    const confirmation = fixture(REAL_CONFIRMATION) as SmnHttpMessage;
    const badSignature = { status: 401, code: 'bad_signature' } as const;
    // The real signing_cert_url host is not on SMN_CERT_HOSTS here: the download fallback is refused too.
    const refusedDownload = { status: 401, code: 'cert_url_not_allowed' } as const;
    await expectRefused(REAL_ENV, [
      ['alarm message', apigEvent(tamper(alarm, 'message')), refusedDownload],
      ['alarm subject', apigEvent(tamper(alarm, 'subject')), refusedDownload],
      ['alarm timestamp', apigEvent(tamper(alarm, 'timestamp')), refusedDownload],
      ['alarm signature', apigEvent({ ...alarm, signature: Buffer.from(alarm.signature!, 'base64').reverse().toString('base64') }), refusedDownload],
      ['alarm, no download URL', apigEvent({ ...tamper(alarm, 'message'), signing_cert_url: undefined } as SmnHttpMessage), badSignature],
      ['confirmation subscribe_url', apigEvent(tamper(confirmation, 'subscribe_url')), refusedDownload],
      ['confirmation timestamp', apigEvent(tamper(confirmation, 'timestamp')), refusedDownload],
    ]);
    expect(hosts.confirm.connections()).toBe(0);
  });

  test('the real confirmation, untouched, to a host not on SMN_CONFIRM_HOSTS: 403, no request', async () => {
    await expectRefused(REAL_ENV, [['real confirmation', apigEvent(fixture(REAL_CONFIRMATION)), { status: 403, code: 'confirm_url_not_allowed' }]]);
  });
});

describe('certificate substitution (pinned certificate does not verify: the download fallback decides)', () => {
  test('control: a certificate downloaded from an allowed host over https verifies, and the alarm is acted on', async () => {
    const run = await s.invoke('alarm', [apigEvent(resignedWithUrl(`${hosts.cert.origin}/smn/good.pem`))], { env: PIN_OTHER });
    expect(run.audit.map((r) => r.decision)).toEqual(['executed']);
    expect(hosts.cert.requests).toEqual(['GET /smn/good.pem']);
  });

  test('wrong certificate, host not allowed, http, not .pem, oversized: 401, no DCS request, disallowed hosts untouched', async () => {
    await expectRefused(PIN_OTHER, [
      ['downloaded certificate is another key', apigEvent(resignedWithUrl(`${hosts.cert.origin}/smn/other.pem`)), { status: 401, code: 'bad_signature' }],
      ['certificate host not allowed', apigEvent(resignedWithUrl(`${hosts.evil.origin}/smn/good.pem`)), { status: 401, code: 'cert_url_not_allowed' }],
      ['certificate over http', apigEvent(resignedWithUrl(`${hosts.plain.origin}/smn/good.pem`)), { status: 401, code: 'cert_url_not_allowed' }],
      ['certificate path not .pem', apigEvent(resignedWithUrl(`${hosts.cert.origin}/smn/cert.txt`)), { status: 401, code: 'cert_url_not_allowed' }],
      ['oversized certificate', apigEvent(resignedWithUrl(`${hosts.cert.origin}/smn/big.pem`)), { status: 401, code: 'cert_too_large' }],
    ]);
    expectDisallowedUntouched();
    expect(hosts.cert.requests.sort()).toEqual(['GET /smn/big.pem', 'GET /smn/other.pem']);
  });
});

describe('replay window and topic allowlist (test certificate pinned)', () => {
  test('control: a fresh alarm on an allowed topic is acted on once; replays of it are duplicates', async () => {
    const fresh = apigEvent(testAlarm(spec()));
    const run = await s.invoke('alarm', [fresh, fresh, fresh], { env: { ...TRUST_TEST_CERT, SMN_TOPIC_URNS: TOPIC } });
    expect(run.audit.map((r) => r.decision)).toEqual(['executed', 'skipped_duplicate', 'skipped_duplicate']);
    expect(s.killRequests()).toHaveLength(1);
  });

  test('stale and future timestamps: 401; unknown topic: 403; none reaches DCS', async () => {
    await expectRefused({ ...TRUST_TEST_CERT, SMN_TOPIC_URNS: TOPIC }, [
      ['16 minutes old', apigEvent(testAlarm(spec({ ageSeconds: 960 }))), { status: 401, code: 'stale_message' }],
      ['a day old', apigEvent(testAlarm(spec({ ageSeconds: 86_400 }))), { status: 401, code: 'stale_message' }],
      ['5 minutes in the future', apigEvent(testAlarm(spec({ ageSeconds: -300 }))), { status: 401, code: 'future_message' }],
      ['another topic, validly signed', apigEvent(testAlarm(spec({ topic: 'urn:smn:cn-north-4:0b8f4a2e5c6d47e1a9b3c8d7e6f5a4b3:other-team' }))), { status: 403, code: 'topic_not_allowed' }],
      ['another account, validly signed', apigEvent(testAlarm(spec({ topic: 'urn:smn:cn-north-4:ffffffffffffffffffffffffffffffff:dcs-alarms' }))), { status: 403, code: 'topic_not_allowed' }],
    ]);
  });

  test('an unsigned message (SMN_ALLOW_UNSIGNED unset), or one signed with another key: 401', async () => {
    const { signature: _s, signature_version: _v, ...unsigned } = testAlarm(spec());
    await expectRefused(TRUST_TEST_CERT, [
      ['unsigned', apigEvent(unsigned as SmnHttpMessage), { status: 401, code: 'missing_signature' }],
      ['signed with another key', apigEvent(testAlarm(spec({ key: OTHER_KEY, endpoints: { ...hosts.endpoints, certOrigin: hosts.evil.origin } }))), { status: 401, code: 'cert_url_not_allowed' }],
    ]);
    expectDisallowedUntouched();
  });
});

describe('subscription confirmation', () => {
  test('control: a signed confirmation to an allowed https host is confirmed with one GET', async () => {
    const run = await s.invoke('alarm', [apigEvent(testConfirmation(spec(), 'cafe01'))], { env: TRUST_TEST_CERT });
    expect(run.audit.map((r) => r.decision)).toEqual(['subscription_confirmed']);
    expect(hosts.confirm.requests).toEqual(['GET /smn/subscription/confirm?token=cafe01']);
  });

  test('to a disallowed host, over http, or with user info: 403, and that host is never contacted', async () => {
    const refused = { status: 403, code: 'confirm_url_not_allowed' } as const;
    await expectRefused(TRUST_TEST_CERT, [
      ['disallowed host', apigEvent(testConfirmation(spec(), 'cafe02', hosts.evil.origin)), refused],
      ['http', apigEvent(testConfirmation(spec(), 'cafe03', hosts.plain.origin)), refused],
      ['user info', apigEvent(testConfirmation(spec(), 'cafe04', hosts.confirm.origin.replace('https://', 'https://user:pw@'))), refused],
    ]);
    expectDisallowedUntouched();
    expect(hosts.confirm.connections()).toBe(0);
  });

  test('a forged confirmation (signed with another key) to an allowed host: 401, no GET', async () => {
    // Its signing_cert_url serves the genuine certificate: downloaded, it still does not verify the forgery.
    const forged = { ...testConfirmation(spec({ key: OTHER_KEY }), 'cafe05'), signing_cert_url: `${hosts.cert.origin}/smn/good.pem` };
    await expectRefused(TRUST_TEST_CERT, [['forged', apigEvent(forged), { status: 401, code: 'bad_signature' }]]);
    expect(hosts.confirm.connections()).toBe(0);
  });
});
