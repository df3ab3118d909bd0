/**
 * Webhook deliveries: the payload of each format, its signature, and one POST.
 *
 * | format   | body                                              | signature (when a secret is configured)                        |
 * |----------|---------------------------------------------------|----------------------------------------------------------------|
 * | generic  | the audit record as JSON                          | X-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>         |
 * | feishu   | {msg_type: "text", content: {text}}               | body timestamp (s) + sign = base64(HMAC-SHA256(key = timestamp + "\n" + secret, "")) |
 * | dingtalk | {msgtype: "markdown", markdown: {title, text}}    | URL &timestamp=<ms>&sign=urlencode(base64(HMAC-SHA256(secret, timestamp + "\n" + secret))) |
 * | wecom    | {msgtype: "markdown", markdown: {content}}        | none: the key in the URL is the secret                          |
 * | slack    | {text}                                            | none: the URL is the secret                                     |
 *
 * (Feishu/Lark custom bot, DingTalk custom robot, WeCom group robot and Slack incoming
 * webhook documentation.) The generic body carries the record's `time`: a receiver bounds
 * replays by refusing old records, and the signature covers that time.
 *
 * A webhook URL is a secret (its path or query holds the robot's key): only its origin ever
 * appears in a log line or error (see `label`). Chat robots answer HTTP 200 with an error
 * code in the body for a bad signature or payload; that counts as a failure too.
 */
import { nodeCrypto } from '../runtime/lazy';
import type { AuditRecord } from '../domain/types';
import { httpRequest, describeFailure } from '../net/http-request';
import type { WebhookFormat } from '../policy';
import { markdownText, noticeOf, plainText, truncateBytes } from './message';

export interface Webhook {
  /** For log lines: a name from the policy, else "<format>#<position>". */
  name: string;
  url: URL;
  format: WebhookFormat;
  /** The signing secret's value (from the environment variable the policy names), or null. */
  secret: string | null;
}

export interface DeliveryRequest {
  url: URL;
  headers: Record<string, string>;
  body: string;
}

/** Chat robots refuse long messages: WeCom markdown takes at most 4096 bytes. */
const CHAT_MAX_BYTES = 4000;
/** Robots answer with a few hundred bytes; anything bigger is not a robot's answer. */
const MAX_ANSWER_BYTES = 64 * 1024;
const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

/** What may be printed about a webhook: its name and origin, never its path or query. */
export function label(hook: Pick<Webhook, 'name' | 'url'>): string {
  return `${hook.name} (${hook.url.origin})`;
}

/** The request a delivery sends; `nowMs` is the signing time. */
export function buildDelivery(hook: Webhook, record: AuditRecord, nowMs: number): DeliveryRequest {
  switch (hook.format) {
    case 'generic': {
      const body = JSON.stringify(record);
      const headers: Record<string, string> = { ...JSON_HEADERS };
      if (hook.secret !== null) headers['x-signature'] = `sha256=${nodeCrypto().createHmac('sha256', hook.secret).update(body).digest('hex')}`;
      return { url: hook.url, headers, body };
    }
    case 'feishu': {
      const content = { msg_type: 'text', content: { text: chatText(plainText(noticeOf(record))) } };
      const seconds = String(Math.floor(nowMs / 1000));
      const signed = hook.secret === null ? {} : { timestamp: seconds, sign: feishuSign(seconds, hook.secret) };
      return { url: hook.url, headers: { ...JSON_HEADERS }, body: JSON.stringify({ ...signed, ...content }) };
    }
    case 'dingtalk': {
      const notice = noticeOf(record);
      const url = new URL(hook.url.href);
      if (hook.secret !== null) {
        const millis = String(nowMs);
        url.searchParams.set('timestamp', millis);
        url.searchParams.set('sign', dingtalkSign(millis, hook.secret));
      }
      const body = { msgtype: 'markdown', markdown: { title: notice.subject, text: chatText(markdownText(notice)) } };
      return { url, headers: { ...JSON_HEADERS }, body: JSON.stringify(body) };
    }
    case 'wecom':
      return { url: hook.url, headers: { ...JSON_HEADERS }, body: JSON.stringify({ msgtype: 'markdown', markdown: { content: chatText(markdownText(noticeOf(record))) } }) };
    case 'slack':
      return { url: hook.url, headers: { ...JSON_HEADERS }, body: JSON.stringify({ text: chatText(plainText(noticeOf(record))) }) };
  }
}

function feishuSign(seconds: string, secret: string): string {
  return nodeCrypto().createHmac('sha256', `${seconds}\n${secret}`).update('').digest('base64');
}

/** URLSearchParams encodes the base64 (+, /, =) as the robot expects. */
function dingtalkSign(millis: string, secret: string): string {
  return nodeCrypto().createHmac('sha256', secret).update(`${millis}\n${secret}`).digest('base64');
}

function chatText(text: string): string {
  return truncateBytes(text, CHAT_MAX_BYTES, '\n…');
}

/** Thrown by `deliver`; the message names the webhook by label only. */
export class WebhookError extends Error {
  override readonly name = 'WebhookError';
}

/** Sends one delivery within `timeoutMs`; resolves when the receiver accepted it. */
export async function deliver(hook: Webhook, record: AuditRecord, options: { timeoutMs: number; now: number; ca?: string | Buffer }): Promise<void> {
  const request = buildDelivery(hook, record, options.now);
  const response = await httpRequest(request.url, {
    method: 'POST',
    headers: request.headers,
    body: request.body,
    timeoutMs: options.timeoutMs,
    maxBytes: MAX_ANSWER_BYTES,
    ...(options.ca !== undefined ? { ca: options.ca } : {}),
  });
  if (!response.ok) throw new WebhookError(`webhook ${label(hook)}: ${describeFailure(response.error, options.timeoutMs, MAX_ANSWER_BYTES)}`);
  const { status, body } = response.value;
  if (status >= 300 && status < 400) throw new WebhookError(`webhook ${label(hook)}: answered a redirect (HTTP ${status}), not followed`);
  if (status < 200 || status >= 300) throw new WebhookError(`webhook ${label(hook)}: HTTP ${status}`);
  const refusal = robotRefusal(hook.format, body);
  if (refusal !== null) throw new WebhookError(`webhook ${label(hook)}: HTTP ${status} but the robot refused the message (${refusal})`);
}

/**
 * Chat robots answer 200 with an error code for a bad signature or payload:
 * Feishu {code, msg} (older: {StatusCode}), DingTalk and WeCom {errcode, errmsg}.
 * Only the numeric code is reported: the text may echo what was sent.
 */
function robotRefusal(format: WebhookFormat, body: Buffer): string | null {
  if (format === 'generic' || format === 'slack') return null;
  let answer: Record<string, unknown>;
  try {
    answer = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
  const code = answer.code ?? answer.StatusCode ?? answer.errcode;
  return typeof code === 'number' && code !== 0 ? `code ${code}` : null;
}
