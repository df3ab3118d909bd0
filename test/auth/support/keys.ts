/**
 * TEST-ONLY signing material (test/fixtures/keys) and an independent SMN
 * signer: it spells out the v1 field lists itself rather than reusing
 * lib/auth/string-to-sign, so a mistake there cannot hide in both.
 */
import { sign, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { SmnHttpMessage } from '../../../lib/fg/types';

const KEYS = path.resolve(__dirname, '..', '..', 'fixtures', 'keys');
const read = (name: string): string => readFileSync(path.join(KEYS, name), 'utf8');

export const SIGNING_KEY = read('test-only.smn-signing.key.pem');
export const SIGNING_CERT = read('test-only.smn-signing.cert.pem');
export const OTHER_KEY = read('test-only.other-signing.key.pem');
export const OTHER_CERT = read('test-only.other-signing.cert.pem');
export const TLS_KEY = read('test-only.tls-localhost.key.pem');
export const TLS_CERT = read('test-only.tls-localhost.cert.pem');

/** A fixed "now" one day into the test signing certificate's validity: results never depend on the wall clock. */
export const TEST_NOW = Date.parse(new X509Certificate(SIGNING_CERT).validFrom) + 24 * 3600 * 1000;

const NOTIFICATION_FIELDS = ['message', 'message_id', 'subject', 'timestamp', 'topic_urn', 'type'] as const;
const CONFIRMATION_FIELDS = ['message', 'message_id', 'subscribe_url', 'timestamp', 'topic_urn', 'type'] as const;

export function signSmn(msg: SmnHttpMessage, keyPem: string = SIGNING_KEY): SmnHttpMessage {
  const fields = msg.type === 'Notification' ? NOTIFICATION_FIELDS : CONFIRMATION_FIELDS;
  const text = fields
    .filter((f) => !(f === 'subject' && !msg[f]))
    .map((f) => `${f}\n${msg[f] ?? ''}\n`)
    .join('');
  const signature = sign('sha256', Buffer.from(text, 'utf8'), keyPem).toString('base64');
  return { ...msg, signature, signature_version: 'v1' };
}

export const TOPIC = 'urn:smn:cn-north-4:0b8f4a2e5c6d47e1a9b3c8d7e6f5a4b3:dcs-alarms';

/** A Notification signed with the test key, timestamped `ageSeconds` before TEST_NOW. */
export function signedNotification(overrides: Partial<SmnHttpMessage> = {}, ageSeconds = 5, keyPem?: string): SmnHttpMessage {
  return signSmn(
    {
      type: 'Notification',
      message_id: 'd3df1fb0248f48b69fb9df4676177406',
      topic_urn: TOPIC,
      subject: '[Major Alarm]From Cloud Eye',
      message: '{"message_type":"alarm","alarm_status":"alarm","namespace":"SYS.DCS","dimension":"dcs_instance_id:5e2b1c9a-7f3d-4d2e-9b8a-1c2d3e4f5a6b"}',
      timestamp: new Date(TEST_NOW - ageSeconds * 1000).toISOString(),
      signing_cert_url: 'https://smn.cn-north-4.myhuaweicloud.com/smn/SMN_cn-north-4_439574c9504b45589a008b0d718fad99.pem',
      ...overrides,
    },
    keyPem,
  );
}
