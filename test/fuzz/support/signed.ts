/**
 * Signed SMN messages to fuzz (the real Huawei ones and ones signed with the
 * TEST-ONLY key), the ways to tamper with them, and an independent judge of
 * whether a message is still the one that was signed.
 */
import fc from 'fast-check';
import type { SmnHttpMessage } from '../../../lib/fg/types';
import { OTHER_KEY, signSmn, TOPIC } from '../../auth/support/keys';
import { fixture } from '../../support/bundle';
import { alteredString, hostileValue, pollutingObject, replaceAt, setOwn, wrongType, type Json } from './mutate';

import { REAL_ALARM, REAL_ALARM_SIGNAL, REAL_CONFIRMATION, REAL_DATAARTS } from '../../events/support/fixtures';

export { REAL_ALARM, REAL_CONFIRMATION, REAL_DATAARTS };
export const REAL_ALARM_INSTANCE = REAL_ALARM_SIGNAL.instanceId;

export type BaseKind = 'test-alarm' | 'test-confirm' | 'real-alarm' | 'real-dataarts' | 'real-confirm';

/** A signed message and what it stands for: the instance it names, the confirmation token it carries. */
export interface SignedBase {
  kind: BaseKind;
  message: SmnHttpMessage;
  instanceId: string | null;
  token: string | null;
}

type Msg = Record<string, unknown>;

/** The fields signature_version v1 covers, by message type (reference/events.md), written out independently of lib/auth. */
const NOTIFICATION_FIELDS = ['message', 'message_id', 'subject', 'timestamp', 'topic_urn', 'type'];
const CONFIRMATION_FIELDS = ['message', 'message_id', 'subscribe_url', 'timestamp', 'topic_urn', 'type'];
export const signedFieldsOf = (type: string): string[] => (type === 'Notification' ? NOTIFICATION_FIELDS : CONFIRMATION_FIELDS);

/** Where the local servers of a fuzz run listen. */
export interface Endpoints {
  /** https://127.0.0.1:<port>: an allowed host serving the test signing certificate. */
  certOrigin: string;
  /** https://127.0.0.1:<port>: an allowed confirmation host. */
  confirmOrigin: string;
  /** https://localhost:<port>: a host NOT allowed; it must never be contacted. */
  evilOrigin: string;
  /** http://127.0.0.1:<port>: plain HTTP; it must never be contacted. */
  plainOrigin: string;
}

export interface TestMessageSpec {
  now: number;
  instanceId: string;
  messageId: string;
  endpoints: Endpoints;
  /** Seconds before `now` the message claims to be sent (negative: in the future). */
  ageSeconds?: number;
  topic?: string | null;
  key?: string;
}

/** A Cloud Eye alarm (classic body) on `instanceId`, signed with the test key. */
export function testAlarm(spec: TestMessageSpec, subject = '[Major Alarm]From Cloud Eye: 连接数使用率 ≥ 90%'): SmnHttpMessage {
  const message = JSON.stringify({
    message_type: 'alarm',
    alarm_id: `al${spec.messageId.slice(0, 20)}`,
    alarm_name: 'dcs-connections-high',
    alarm_status: 'alarm',
    time: spec.now,
    namespace: 'SYS.DCS',
    metric_name: 'connections_usage',
    dimension: `dcs_instance_id:${spec.instanceId}`,
    template_variable: { ResourceId: spec.instanceId, ResourceName: '商城缓存' },
  });
  return signSmn(
    withTopic(
      {
        type: 'Notification',
        message_id: spec.messageId,
        subject,
        message,
        timestamp: new Date(spec.now - (spec.ageSeconds ?? 0) * 1000).toISOString(),
        signing_cert_url: `${spec.endpoints.certOrigin}/smn/SMN_cn-north-4_test.pem`,
      },
      spec.topic,
    ),
    spec.key,
  );
}

/** A SubscriptionConfirmation whose subscribe_url carries `token`, signed with the test key. */
export function testConfirmation(spec: TestMessageSpec, token: string, origin = spec.endpoints.confirmOrigin, type = 'SubscriptionConfirmation'): SmnHttpMessage {
  return signSmn(
    withTopic(
      {
        type,
        message_id: spec.messageId,
        message: `You are invited to subscribe to topic: ${TOPIC}.`,
        subscribe_url: `${origin}/smn/subscription/confirm?token=${token}`,
        unsubscribe_url: `${spec.endpoints.evilOrigin}/smn/unsubscribe?token=${token}`,
        timestamp: new Date(spec.now - (spec.ageSeconds ?? 0) * 1000).toISOString(),
        signing_cert_url: `${spec.endpoints.certOrigin}/smn/SMN_cn-north-4_test.pem`,
      },
      spec.topic,
    ),
    spec.key,
  );
}

function withTopic(msg: Omit<SmnHttpMessage, 'topic_urn'>, topic: string | null | undefined): SmnHttpMessage {
  return (topic === null ? msg : { ...msg, topic_urn: topic ?? TOPIC }) as SmnHttpMessage;
}

export function realBases(): SignedBase[] {
  return [
    { kind: 'real-alarm', message: fixture(REAL_ALARM), instanceId: REAL_ALARM_INSTANCE, token: null },
    { kind: 'real-dataarts', message: fixture(REAL_DATAARTS), instanceId: null, token: null },
    { kind: 'real-confirm', message: fixture(REAL_CONFIRMATION), instanceId: null, token: null },
  ];
}

/**
 * Whether `msg` is still exactly what was signed in `base`: every signed
 * field and the signature unchanged (an empty subject counts as absent, as
 * in the string to sign), signature_version still v1.
 */
export function isIntact(msg: unknown, base: SmnHttpMessage): boolean {
  if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) return false;
  const m = msg as Msg;
  const same = (field: string): boolean => {
    const before = (base as unknown as Msg)[field];
    const after = m[field];
    if (field === 'subject') return (before ?? '') === (after ?? '') && (after === undefined || after === null || typeof after === 'string');
    return typeof after === 'string' && after === before;
  };
  return [...signedFieldsOf(base.type), 'signature'].every(same) && m.signature_version === 'v1';
}

/** Whether `msg` carries the same signed content, signature and version as `reference` (null counts as absent). */
export function sameSignedContent(msg: unknown, reference: SmnHttpMessage): boolean {
  if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) return false;
  const norm = (v: unknown) => (v === null || v === undefined ? undefined : v);
  const fields = [...signedFieldsOf(reference.type), 'signature', 'signature_version'];
  return fields.every((f) => norm((msg as Msg)[f]) === norm((reference as unknown as Msg)[f]));
}

// ---- tampering ----

const REGIONS = ['cn-north-4', 'cn-east-3', 'ap-southeast-1', 'cn-south-1'];
const otherTopic = fc
  .tuple(fc.constantFrom(...REGIONS), fc.stringMatching(/^[0-9a-f]{32}$/), fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/))
  .map(([r, p, n]) => `urn:smn:${r}:${p}:${n}`);

function movedTimestamp(ts: unknown): fc.Arbitrary<Json> {
  const at = typeof ts === 'string' ? Date.parse(ts) : Date.now();
  const shift = fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1000, max: 10 * 86_400_000 })).chain((ms) => fc.constantFrom(ms, -ms));
  return fc.oneof(
    shift.map((ms) => new Date(at + ms).toISOString()),
    // The same instant spelled otherwise: the signed text changes all the same.
    fc.constant(new Date(at).toISOString().replace('Z', '+00:00')),
    fc.constant(new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z')),
    fc.constant(String(at)),
  ).map((out) => (out === ts ? `${ts}0` : out));
}

/** Changes inside the `message` JSON text: re-serialized, a polluting key, a field replaced. */
function alteredMessageText(text: unknown): fc.Arbitrary<Json> {
  let parsed: unknown;
  try {
    parsed = typeof text === 'string' ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed === null || typeof parsed !== 'object') return hostileValue(text) as fc.Arbitrary<Json>;
  const reserialized = JSON.stringify(parsed);
  const polluted = fc.constantFrom('__proto__', 'constructor').map((k) => {
    const copy = { ...(parsed as Msg) };
    setOwn(copy, k, { alarm_status: 'alarm' });
    return JSON.stringify(copy);
  });
  const replaced = fc.tuple(fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), fc.oneof(wrongType, fc.string())).map(([path, v]) => JSON.stringify(replaceAt(parsed, path, v)));
  return fc.oneof(fc.constant(reserialized === text ? `${reserialized} ` : reserialized), polluted, replaced);
}

function tamperedSignature(sig: string, others: readonly string[]): fc.Arbitrary<Json | undefined> {
  const bytes = Buffer.from(sig, 'base64');
  return fc.oneof(
    fc.tuple(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 0, max: 7 })).map(([i, bit]) => {
      const copy = Buffer.from(bytes);
      copy[i] = copy[i]! ^ (1 << bit);
      return copy.toString('base64');
    }),
    fc.integer({ min: 0, max: bytes.length - 1 }).map((n) => bytes.subarray(0, n).toString('base64')),
    fc.uint8Array({ minLength: bytes.length, maxLength: bytes.length }).map((b) => Buffer.from(b).toString('base64')),
    fc.constantFrom(...others.filter((o) => o !== sig), 'AAAA'),
    fc.constantFrom('', undefined, null),
    fc.nat({ max: sig.length }).map((i) => `${sig.slice(0, i)}!${sig.slice(i)}`),
    fc.nat({ max: sig.length }).map((i) => `${sig.slice(0, i)} ${sig.slice(i)}`),
    wrongType,
  );
}

/** One tampering step on a signed message (always aimed at what the signature covers). */
function tamperStep(base: SmnHttpMessage, otherSignatures: readonly string[]): fc.Arbitrary<{ what: string; apply: (m: Msg) => void }> {
  const set = (field: string) => (v: unknown) => (m: Msg) => (v === undefined ? delete m[field] : setOwn(m, field, v));
  const step = (what: string, arb: fc.Arbitrary<unknown>, field: string) => arb.map((v) => ({ what, apply: set(field)(v) }));
  const fields = signedFieldsOf(base.type);
  return fc.oneof(
    fc.constantFrom(...fields).chain((f) => step(`${f} hostile`, hostileValue((base as unknown as Msg)[f]), f)),
    step('timestamp moved', movedTimestamp(base.timestamp), 'timestamp'),
    step('topic changed', otherTopic, 'topic_urn'),
    step('type changed', fc.constantFrom(base.type.toLowerCase(), base.type.toUpperCase(), 'Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation', 'HttpSubscriptionUserConfirm').filter((t) => t !== base.type), 'type'),
    step('message altered', alteredMessageText(base.message), 'message'),
    step('subject altered', base.subject ? alteredString(base.subject) : fc.string({ minLength: 1, maxLength: 20 }), 'subject'),
    step('signature tampered', tamperedSignature(base.signature!, otherSignatures), 'signature'),
    step('signature_version changed', fc.constantFrom('v2', 'V1', 'v1 ', '', undefined, 1), 'signature_version'),
  );
}

/** Changes to fields the signature does not cover, and unknown extra fields. */
export function unsignedNoise(endpoints: Endpoints): fc.Arbitrary<{ what: string; apply: (m: Msg) => void }> {
  const certUrls = fc.constantFrom(
    `${endpoints.certOrigin}/smn/SMN_cn-north-4_other.pem`,
    `${endpoints.evilOrigin}/smn/SMN_cn-north-4_test.pem`,
    `${endpoints.plainOrigin}/smn/SMN_cn-north-4_test.pem`,
    `${endpoints.certOrigin}/smn/cert.txt`,
    `${endpoints.certOrigin}/smn/SMN.pem?x=1`,
    'https://smn.cn-north-4.myhuaweicloud.com/smn/SMN_cn-north-4_439574c9504b45589a008b0d718fad99.pem',
    'not a url',
  );
  const extraName = fc.constantFrom('foo', 'Message', 'MessageId', 'Signature', '__proto__', 'constructor', 'prototype', 'x-smn-topic-urn');
  const extraValue = fc.oneof(fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>, wrongType, pollutingObject);
  return fc.oneof(
    certUrls.map((url) => ({ what: 'signing_cert_url changed', apply: (m: Msg) => setOwn(m, 'signing_cert_url', url) })),
    fc.string({ maxLength: 64 }).map((url) => ({ what: 'unsubscribe_url changed', apply: (m: Msg) => setOwn(m, 'unsubscribe_url', url) })),
    fc.tuple(extraName, extraValue).map(([k, v]) => ({ what: `extra field ${k}`, apply: (m: Msg) => setOwn(m, k, v) })),
  );
}

export interface Tampered {
  message: Msg;
  what: string[];
}

/** 0-3 tampering steps plus 0-2 unsigned changes; with 0 tampering steps the message stays intact. */
export function tampered(base: SmnHttpMessage, otherSignatures: readonly string[], endpoints: Endpoints, intactWeight = 1): fc.Arbitrary<Tampered> {
  const steps = fc.oneof(
    { weight: intactWeight, arbitrary: fc.constant([] as Array<{ what: string; apply: (m: Msg) => void }>) },
    { weight: 4, arbitrary: fc.array(tamperStep(base, otherSignatures), { minLength: 1, maxLength: 3 }) },
  );
  return fc.tuple(steps, fc.array(unsignedNoise(endpoints), { maxLength: 2 })).map(([tamper, noise]) => {
    const message: Msg = { ...(base as unknown as Msg) };
    [...tamper, ...noise].forEach((s) => s.apply(message));
    return { message, what: [...tamper, ...noise].map((s) => s.what) };
  });
}

export { OTHER_KEY, TOPIC };
