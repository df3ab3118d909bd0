/**
 * The real SMN deliveries in test/fixtures/events/real verify with the default
 * configuration (Huawei's pinned certificate; age check off: they are old),
 * and any change to a signed field, or to the signature, makes them fail.
 */
import { readSmnAuthConfig, type SmnAuthConfig } from '../../lib/auth/config';
import { authenticateSmnMessage } from '../../lib/auth/verify';
import type { SmnHttpMessage } from '../../lib/fg/types';
import { fixture, REAL_ALARM, REAL_CONFIRMATION, REAL_DATAARTS, REAL_MESSAGES } from '../events/support/fixtures';

function config(env: Record<string, string>): SmnAuthConfig {
  const result = readSmnAuthConfig(env);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

const noAgeCheck = config({ SMN_MAX_AGE_SECONDS: '0' });
const real = (name: string): SmnHttpMessage => fixture<SmnHttpMessage>(name);
/** "now" = the moment SMN sent it: inside the pinned certificate's validity whatever the wall clock says. */
const sentAt = (msg: SmnHttpMessage): number => Date.parse(msg.timestamp!);
const authenticate = (msg: SmnHttpMessage, cfg = noAgeCheck) => authenticateSmnMessage(msg, cfg, { now: sentAt(msg) });

const flipped = (signature: string): string => {
  const bytes = Buffer.from(signature, 'base64');
  bytes[10] = bytes[10]! ^ 0x01;
  return bytes.toString('base64');
};

describe.each(REAL_MESSAGES)('real message %s', (name) => {
  const msg = real(name);

  it('verifies with the pinned Huawei certificate and no download', async () => {
    expect(await authenticate(msg)).toEqual({
      ok: true,
      value: {
        authenticated: true,
        messageType: msg.type,
        certSource: 'pinned',
        certLabel: 'huawei-published',
        certFingerprint256: '85:FF:15:CD:8A:21:7C:2B:DF:36:7C:F0:17:39:4D:B0:ED:FE:B0:31:8B:5F:5C:7C:6B:BE:25:73:CA:D1:38:17',
      },
    });
  });

  const signedFields = msg.type === 'Notification' ? ['message', 'message_id', 'subject', 'timestamp', 'topic_urn'] : ['message', 'message_id', 'subscribe_url', 'timestamp', 'topic_urn'];
  it.each(signedFields)('fails when %s changes by one character', async (field) => {
    const value = (msg as unknown as Record<string, string>)[field]!;
    const tampered = { ...msg, [field]: value.slice(0, -1) + (value.endsWith('1') ? '2' : '1') };
    expect(await authenticate(tampered)).toMatchObject({ ok: false, error: { status: 401, code: 'bad_signature' } });
  });

  it('fails when type is respelled', async () => {
    expect(await authenticate({ ...msg, type: msg.type.toUpperCase() })).toMatchObject({ ok: false, error: { status: 401, code: 'bad_signature' } });
  });

  it('fails when a signed field is dropped', async () => {
    const { message_id: _dropped, ...rest } = msg;
    expect(await authenticate(rest as SmnHttpMessage)).toMatchObject({ ok: false, error: { status: 401, code: 'missing_signed_field' } });
  });

  it('fails when the signature changes by one bit, is truncated or is not base64', async () => {
    for (const signature of [flipped(msg.signature!), msg.signature!.slice(4), `${msg.signature!.slice(0, -4)}!!!!`]) {
      expect(await authenticate({ ...msg, signature })).toMatchObject({ ok: false, error: { status: 401, code: 'bad_signature' } });
    }
  });

  it('does not depend on the unsigned fields (signing_cert_url, unsubscribe_url)', async () => {
    const changed = { ...msg, signing_cert_url: 'https://evil.example/x.pem', unsubscribe_url: 'https://evil.example/u' };
    expect(await authenticate(changed)).toMatchObject({ ok: true, value: { certSource: 'pinned' } });
  });

  it('is refused as stale under the default 900 s window a day later', async () => {
    const defaults = config({});
    const result = await authenticateSmnMessage(msg, defaults, { now: sentAt(msg) + 24 * 3600 * 1000 });
    expect(result).toMatchObject({ ok: false, error: { status: 401, code: 'stale_message' } });
  });
});

it('the real alarm, the DataArts notification and the confirmation are three distinct signed types/topics', () => {
  expect([REAL_ALARM, REAL_DATAARTS, REAL_CONFIRMATION].map((n) => real(n).type)).toEqual(['Notification', 'Notification', 'SubscriptionConfirmation']);
});

it('subject is part of a Notification signature (removing it fails)', async () => {
  const { subject: _removed, ...rest } = real(REAL_ALARM);
  expect(await authenticate(rest as SmnHttpMessage)).toMatchObject({ ok: false, error: { code: 'bad_signature' } });
});
