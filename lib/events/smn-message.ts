/**
 * SMN messages as this product sees them: the HTTP(S) subscription body
 * (validated field by field) and the SmnDelivery every input form is reduced
 * to before the alarm inside is read.
 */
import * as z from 'zod/mini';
import { err, ok, type Rejection, type Result } from '../domain/types';
import type { SmnHttpMessage } from '../fg/types';
import { MESSAGE_ID, TOPIC_URN } from './ids';
import { matching, onFirstUse, optional, text } from './shape';
import { zodRejection } from './rejection';

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

// Every schema here is built on first use (onFirstUse), not when the bundle loads.
export const messageTypeSchema = onFirstUse(() => matching(/^[A-Za-z]{1,64}$/, 'an SMN message type such as Notification'));
export const messageIdSchema = onFirstUse(() => matching(MESSAGE_ID, 'an SMN message id'));
export const topicUrnSchema = onFirstUse(() => matching(TOPIC_URN, 'a topic URN urn:smn:<region>:<project>:<topic>'));

const SmnHttpMessageSchema = onFirstUse(() => z.object({
  type: messageTypeSchema(),
  message_id: optional(messageIdSchema()),
  topic_urn: optional(topicUrnSchema()),
  subject: optional(text(1024)),
  message: z.string({ error: 'is required and must be a string' }),
  timestamp: optional(text(64)),
  signature: optional(text(4096)),
  signature_version: optional(text(16)),
  signing_cert_url: optional(text(2048)),
  subscribe_url: optional(text(2048)),
  unsubscribe_url: optional(text(2048)),
}));

/** Validates an SMN HTTP(S) message body; unknown fields are dropped, the result is a fresh object. */
export function readSmnHttpMessage(value: unknown, root = ''): Result<SmnHttpMessage, Rejection> {
  const parsed = SmnHttpMessageSchema().safeParse(value);
  if (!parsed.success) return err(zodRejection(parsed.error, 'invalid_smn_message', root));
  // Rebuild without absent (undefined or null) members, so the object prints and compares cleanly.
  const message = Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v != null));
  return ok(message as unknown as SmnHttpMessage);
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
