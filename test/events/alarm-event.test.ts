import { readAlarmEvent, toDelivery } from '../../lib/events/alarm-event';
import type { ApigEvent } from '../../lib/fg/types';
import { fixture } from './support/fixtures';

const smnBody = fixture('smn-http.notification.json');
const bodyText = JSON.stringify(smnBody);
const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');

const apig = (overrides: Partial<ApigEvent> = {}): ApigEvent => ({
  httpMethod: 'POST',
  path: '/cloudeye',
  headers: { 'content-type': 'application/json; charset=UTF-8', 'x-smn-message-type': 'Notification' },
  body: bodyText,
  isBase64Encoded: false,
  ...overrides,
});

function rejectionOf(event: unknown, limits?: { maxBytes?: number }) {
  const result = readAlarmEvent(event, limits);
  if (result.ok) throw new Error(`expected a rejection, got form ${result.value.form}`);
  return result.error;
}

function apigMessageOf(event: unknown) {
  const result = readAlarmEvent(event);
  if (!result.ok) throw new Error(`expected an APIG event, got ${JSON.stringify(result.error)}`);
  if (result.value.form !== 'apig') throw new Error(`expected apig, got ${result.value.form}`);
  return result.value;
}

describe('readAlarmEvent: APIG body encodings', () => {
  it('reads a plain body', () => {
    expect(apigMessageOf(apig()).message).toEqual(smnBody);
  });
  it('reads a base64 body', () => {
    expect(apigMessageOf(apig({ body: b64(bodyText), isBase64Encoded: true })).message).toEqual(smnBody);
  });
  it('reads plain JSON even when isBase64Encoded is wrongly true', () => {
    expect(apigMessageOf(apig({ isBase64Encoded: true })).message).toEqual(smnBody);
  });
  it('decodes base64 JSON even when isBase64Encoded is missing or false', () => {
    expect(apigMessageOf(apig({ body: b64(bodyText), isBase64Encoded: undefined })).message).toEqual(smnBody);
    expect(apigMessageOf(apig({ body: b64(bodyText), isBase64Encoded: false })).message).toEqual(smnBody);
  });
  it('refuses a flagged body that is neither base64 nor JSON', () => {
    expect(rejectionOf(apig({ body: 'not base64 at all!', isBase64Encoded: true }))).toMatchObject({ status: 400, code: 'invalid_base64' });
  });
  it('treats unflagged base64 that does not decode to JSON as text (then invalid JSON)', () => {
    expect(rejectionOf(apig({ body: b64('hello world'), isBase64Encoded: false }))).toMatchObject({ status: 400, code: 'invalid_json' });
  });
  it('refuses base64 of bytes that are not UTF-8', () => {
    const bytes = Buffer.concat([Buffer.from('{"type":"Notification","message":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    expect(rejectionOf(apig({ body: b64(bytes), isBase64Encoded: true }))).toMatchObject({ status: 400, code: 'invalid_utf8' });
  });
  it('refuses a plain body with an unpaired surrogate', () => {
    expect(rejectionOf(apig({ body: '{"type":"Notification","message":"\uD800"}' }))).toMatchObject({ status: 400, code: 'invalid_utf8' });
  });
  it('strips a UTF-8 byte order mark from a base64 body', () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(bodyText)]);
    expect(apigMessageOf(apig({ body: b64(withBom), isBase64Encoded: true })).message).toEqual(smnBody);
  });
});

describe('readAlarmEvent: APIG request checks', () => {
  it.each([undefined, null, '', '   '])('refuses a missing body (%j) with 400', (body) => {
    expect(rejectionOf(apig({ body }))).toMatchObject({ status: 400, code: 'missing_body' });
  });
  it.each(['GET', 'PUT', 'delete'])('refuses method %s with 405', (httpMethod) => {
    expect(rejectionOf(apig({ httpMethod }))).toMatchObject({ status: 405, code: 'method_not_allowed' });
  });
  it.each(['application/json', 'application/json; charset=UTF-8', 'text/plain; charset=utf-8', 'application/vnd.smn+json', 'APPLICATION/JSON'])(
    'accepts content-type %s',
    (type) => {
      expect(apigMessageOf(apig({ headers: { 'Content-Type': type } })).message.type).toBe('Notification');
    },
  );
  it('accepts a missing content-type (the body must be JSON anyway)', () => {
    expect(apigMessageOf(apig({ headers: {} })).headers).toEqual({});
  });
  it.each(['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1'])(
    'refuses content-type %s with 415',
    (type) => {
      expect(rejectionOf(apig({ headers: { 'content-type': type } }))).toMatchObject({ status: 415, code: 'unsupported_media_type' });
    },
  );
  it('refuses a body over the cap with 413, plain or base64', () => {
    expect(rejectionOf(apig(), { maxBytes: 1000 })).toMatchObject({ status: 413 });
    expect(rejectionOf(apig({ body: b64(bodyText), isBase64Encoded: true }), { maxBytes: 1000 })).toMatchObject({ status: 413 });
  });
  it('refuses a body that is not JSON with the position', () => {
    const rejection = rejectionOf(apig({ body: '{"type":"Notification",}' }));
    expect(rejection).toMatchObject({ status: 400, code: 'invalid_json' });
    expect(rejection.reason).toMatch(/^body: invalid JSON at position 23/);
  });
  it('refuses a body with prototype-pollution keys', () => {
    expect(rejectionOf(apig({ body: '{"type":"Notification","message":"x","__proto__":{"admin":true}}' }))).toMatchObject({ code: 'forbidden_key' });
  });
  it.each([
    [{ ...smnBody, type: 3 }, 'body.type'],
    [{ ...smnBody, message: undefined }, 'body.message'],
    [{ ...smnBody, topic_urn: 'urn:smn:cn-north-4:proj:../x' }, 'body.topic_urn'],
    [{ ...smnBody, message_id: 'a/b' }, 'body.message_id'],
  ])('names the bad field of the SMN message (%#)', (body, field) => {
    const rejection = rejectionOf(apig({ body: JSON.stringify(body) }));
    expect(rejection).toMatchObject({ status: 400, code: 'invalid_smn_message' });
    expect(rejection.reason.startsWith(`${field}:`)).toBe(true);
  });
  it('refuses X-SMN-* headers that contradict the body', () => {
    expect(rejectionOf(apig({ headers: { 'x-smn-message-type': 'SubscriptionConfirmation' } }))).toMatchObject({ status: 400, code: 'header_mismatch' });
    expect(rejectionOf(apig({ headers: { 'x-smn-topic-urn': 'urn:smn:cn-north-4:0b8f:other' } }))).toMatchObject({ code: 'header_mismatch' });
  });
  it('lower-cases header names and drops non-string values', () => {
    const event = { ...apig(), headers: { 'X-Real-IP': '100.85.1.7', 'x-multi': ['a', 'b'] } };
    expect(apigMessageOf(event).headers).toEqual({ 'x-real-ip': '100.85.1.7' });
  });
  it('drops unknown fields of the SMN message and tolerates null ones', () => {
    const message = apigMessageOf(apig({ body: JSON.stringify({ ...smnBody, subject: null, extra: 'x' }) })).message;
    expect(message).not.toHaveProperty('extra');
    expect(message).not.toHaveProperty('subject');
  });
});

describe('readAlarmEvent: SMN trigger events', () => {
  const record = (smn: Record<string, unknown>) => ({ event_version: '1.0', event_source: 'smn', smn: { message: '{}', type: 'notification', ...smn } });

  it('reads several records in order, normalizing the type', () => {
    const result = readAlarmEvent({ record: [record({ message_id: 'a1' }), record({ message_id: 'b2', type: undefined })] });
    expect(result).toMatchObject({
      ok: true,
      value: {
        form: 'smn-trigger',
        records: [
          { messageType: 'Notification', messageId: 'a1', via: 'smn-trigger' },
          { messageType: 'Notification', messageId: 'b2', via: 'smn-trigger' },
        ],
      },
    });
  });
  it.each([
    [{ record: [] }, 'record:'],
    [{ record: 'x' }, 'record:'],
    [{ record: [{ smn: { type: 'notification' } }] }, 'record[0].smn.message:'],
    [{ record: [record({}), record({ message: 42 })] }, 'record[1].smn.message:'],
    [{ record: [{ ...record({}), event_source: 'obs' }] }, 'record[0].event_source:'],
    [{ record: [record({ topic_urn: 'not-a-urn' })] }, 'record[0].smn.topic_urn:'],
  ])('refuses %j naming the field', (event, field) => {
    const rejection = rejectionOf(event);
    expect(rejection).toMatchObject({ status: 400, code: 'invalid_smn_trigger' });
    expect(rejection.reason.startsWith(field)).toBe(true);
  });
  it('refuses more than 100 records', () => {
    expect(rejectionOf({ record: Array.from({ length: 101 }, () => record({})) })).toMatchObject({ code: 'invalid_smn_trigger' });
  });
});

describe('readAlarmEvent: other inputs', () => {
  it.each([null, 'text', 42, [1], undefined])('refuses %j as not an object', (event) => {
    expect(rejectionOf(event)).toMatchObject({ status: 400, code: 'invalid_event' });
  });
  it('refuses an object of no known form', () => {
    expect(rejectionOf({ hello: 'world' })).toMatchObject({ status: 400, code: 'unknown_event' });
  });
  it('reads a bare SMN message and converts it to a delivery', () => {
    const result = readAlarmEvent(smnBody);
    expect(result).toMatchObject({ ok: true, value: { form: 'smn-http' } });
    if (result.ok && result.value.form === 'smn-http') {
      expect(toDelivery(result.value.message)).toEqual({
        messageType: 'Notification',
        messageId: smnBody.message_id,
        topicUrn: smnBody.topic_urn,
        subject: smnBody.subject,
        timestamp: smnBody.timestamp,
        message: smnBody.message,
        via: 'smn-http',
      });
    }
  });
  it('refuses a bare SMN message without a message field', () => {
    expect(rejectionOf({ type: 'Notification' })).toMatchObject({ status: 400, reason: expect.stringMatching(/^message:/) });
  });
});
