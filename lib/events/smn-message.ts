/**
 * SMN messages as this product sees them: the HTTP(S) subscription body
 * (validated field by field) and the SmnDelivery every input form is reduced
 * to before the alarm inside is read.
 */
import type { Rejection, Result } from '../domain/types';
import type { SmnHttpMessage } from '../fg/types';
import { FieldReader, type TextRule } from './fields';
import { MESSAGE_ID, MESSAGE_TYPE, TOPIC_URN } from './ids';

/** Message types whose signed fields are documented (reference/events.md). */
export const SIGNED_MESSAGE_TYPES = ['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation'] as const;
export type SmnMessageType = (typeof SIGNED_MESSAGE_TYPES)[number];

/** Newer SMN types: recognised and audited, but nothing here verifies or acts on them. */
const OTHER_KNOWN_TYPES = ['HttpSubscriptionUserConfirm', 'HttpSubscriptionUserUnsubscribe'] as const;
const KNOWN_TYPES: readonly string[] = [...SIGNED_MESSAGE_TYPES, ...OTHER_KNOWN_TYPES];

/**
 * The documented spelling of a message type, matched without regard to case
 * (the SMN trigger says "notification", HTTP deliveries "Notification");
 * unknown types are returned as given.
 */
export function canonicalMessageType(type: string): string {
  return KNOWN_TYPES.find((known) => known.toLowerCase() === type.toLowerCase()) ?? type;
}

export function isSignedMessageType(type: string): type is SmnMessageType {
  return (SIGNED_MESSAGE_TYPES as readonly string[]).includes(type);
}

/** One SMN message, whichever way it arrived. */
export interface SmnDelivery {
  messageType: 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation' | string;
  messageId: string | null;
  topicUrn: string | null;
  subject: string | null;
  timestamp: string | null;
  /** The raw `message` string (the alarm JSON for Cloud Eye notifications). */
  message: string;
  via: 'smn-trigger' | 'smn-http';
}

/** The fields every SMN message has, however it came (the trigger's `smn` object, an HTTP body). */
export interface SmnFields {
  type: string | null;
  messageId: string | null;
  topicUrn: string | null;
  subject: string | null;
  timestamp: string | null;
  message: string | null;
}

const TYPE: TextRule = { pattern: MESSAGE_TYPE, what: 'an SMN message type such as Notification' };
const ID: TextRule = { pattern: MESSAGE_ID, what: 'an SMN message id' };
const URN: TextRule = { pattern: TOPIC_URN, what: 'a topic URN urn:smn:<region>:<project>:<topic>' };
const SUBJECT: TextRule = { max: 1024 };
const TIMESTAMP: TextRule = { max: 64 };
const REQUIRED: TextRule = { required: true };

/** Reads the common SMN fields of `o` (at `base`) through `r`; the HTTP body must name its type, the trigger need not. */
export function readSmnFields(r: FieldReader, o: Record<string, unknown> | null, base: string, typeRequired: boolean): SmnFields {
  return {
    type: r.text(o, 'type', base, typeRequired ? { ...TYPE, required: true } : TYPE),
    messageId: r.text(o, 'message_id', base, ID),
    topicUrn: r.text(o, 'topic_urn', base, URN),
    subject: r.text(o, 'subject', base, SUBJECT),
    timestamp: r.text(o, 'timestamp', base, TIMESTAMP),
    message: r.text(o, 'message', base, REQUIRED),
  };
}

/** The signature fields of an SMN HTTP(S) message, with their size limits. */
const SIGNATURE_FIELDS = { signature: 4096, signature_version: 16, signing_cert_url: 2048, subscribe_url: 2048, unsubscribe_url: 2048 } as const;

/** Validates an SMN HTTP(S) message body; unknown fields are dropped, the result is a fresh object without absent members. */
export function readSmnHttpMessage(value: unknown, root = ''): Result<SmnHttpMessage, Rejection> {
  const r = new FieldReader();
  const o = r.top(value, root);
  const f = readSmnFields(r, o, root, true);
  const fields: Array<[string, string | null]> = [
    ['type', f.type], ['message_id', f.messageId], ['topic_urn', f.topicUrn], ['subject', f.subject], ['message', f.message], ['timestamp', f.timestamp],
  ];
  for (const [key, max] of Object.entries(SIGNATURE_FIELDS)) fields.push([key, r.text(o, key, root, { max })]);
  const message = Object.fromEntries(fields.filter(([, v]) => v !== null));
  return r.result(message as unknown as SmnHttpMessage, 'invalid_smn_message');
}

/** The delivery view of an SMN HTTP(S) message. */
export function toDelivery(msg: SmnHttpMessage): SmnDelivery {
  return {
    messageType: canonicalMessageType(msg.type),
    messageId: msg.message_id ?? null,
    topicUrn: msg.topic_urn ?? null,
    subject: msg.subject ?? null,
    timestamp: msg.timestamp ?? null,
    message: msg.message ?? '',
    via: 'smn-http',
  };
}
