/**
 * The string SMN signs (signature_version v1, reference/events.md): the
 * type's signed fields in alphabetical order, each as `key\nvalue\n`, the
 * last one included; `subject` is left out when empty; `message` is the
 * JSON-decoded string used as is.
 */
import { err, ok, type Rejection, type Result } from '../domain/types';
import type { SmnHttpMessage } from '../fg/types';
import { reject } from '../events/rejection';
import type { SmnMessageType } from '../events/smn-message';

type SignedField = 'message' | 'message_id' | 'subject' | 'subscribe_url' | 'timestamp' | 'topic_urn' | 'type';

const CONFIRMATION_FIELDS: readonly SignedField[] = ['message', 'message_id', 'subscribe_url', 'timestamp', 'topic_urn', 'type'];

export const SIGNED_FIELDS: Readonly<Record<SmnMessageType, readonly SignedField[]>> = {
  Notification: ['message', 'message_id', 'subject', 'timestamp', 'topic_urn', 'type'],
  SubscriptionConfirmation: CONFIRMATION_FIELDS,
  UnsubscribeConfirmation: CONFIRMATION_FIELDS,
};

/** Fields that may be absent from the string to sign (then skipped, not signed as empty). */
const OMITTED_WHEN_EMPTY: ReadonlySet<SignedField> = new Set(['subject']);

export function buildStringToSign(msg: SmnHttpMessage, type: SmnMessageType): Result<string, Rejection> {
  let out = '';
  for (const field of SIGNED_FIELDS[type]) {
    const value = msg[field];
    if (value === undefined || value === '') {
      if (OMITTED_WHEN_EMPTY.has(field)) continue;
      return err(reject(401, 'missing_signed_field', `${field}: is required for a signed ${type}`));
    }
    out += `${field}\n${value}\n`;
  }
  return ok(out);
}
