/**
 * The policy's fixed words and formats, without zod: what the handlers need
 * at run time (match, notify, sinks) without building or even loading the
 * schema, which lives in the lazily loaded validator (schema.ts, docs/performance.md).
 */
import { HEX32_SOURCE, REGION_SOURCE } from '../domain/ids';
import { isLoopbackHost } from '../net/ip';

export const ALARM_FORMATS = ['classic', 'templated'] as const;
export const SCOPES = ['auto', 'node', 'instance'] as const;
/** Webhook payload formats: the audit record as JSON, or a chat robot's message format. */
export const WEBHOOK_FORMATS = ['generic', 'feishu', 'dingtalk', 'wecom', 'slack'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];
/** Formats with a published signing scheme; for wecom and slack the URL itself is the secret. */
export const SIGNED_WEBHOOK_FORMATS: readonly WebhookFormat[] = ['generic', 'feishu', 'dingtalk'];
/** Decisions that notify unless the policy says otherwise: what was done, what failed, the breaker opening. */
export const DEFAULT_NOTIFY_ON = ['executed', 'failed', 'skipped_rate_limit'] as const;
/** SMN topic URN: urn:smn:<region>:<project id>:<topic name> (topic names: letters, digits, - and _, at most 255). */
export const SMN_TOPIC_URN = /* @__PURE__ */ new RegExp(`^urn:smn:(${REGION_SOURCE}):(${HEX32_SOURCE}):([A-Za-z0-9][A-Za-z0-9_-]{0,254})$`);
/** The registered actions a rule or schedule may name; kill-all when it names none. */
export const ACTION_KINDS = ['kill-all', 'kill-matching'] as const;
export const WHEN_NONE_MATCH = ['skip', 'kill-all'] as const;
/** Sessions a precision action closes per node at most, unless the policy says otherwise. */
export const DEFAULT_MAX_SESSIONS_PER_NODE = 1000;
/** The Cloud Eye namespace of DCS metrics; classic alarms must carry it unless a rule says otherwise. */
export const DCS_NAMESPACE = 'SYS.DCS';

/** Deeper than any policy needs: a JSON policy nested deeper is refused before anything walks it. */
export const MAX_POLICY_JSON_DEPTH = 32;

export const WEBHOOK_URL_RULE = 'Expected an https:// URL without user info (plain http only for a loopback address)';

/** https, or plain http to loopback (local tests); never user info in the URL. */
export function isWebhookUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.username !== '' || url.password !== '') return false;
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && isLoopbackHost(url.hostname);
}

export { isLoopbackHost };
