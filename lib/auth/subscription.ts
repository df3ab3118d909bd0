/**
 * Confirming an SMN subscription: a GET on the message's subscribe_url.
 *
 * The caller authenticates the message first (authenticateSmnMessage: signature
 * and topic). Here the URL itself is held to SMN_CONFIRM_HOSTS, https only,
 * before any connection is made: a forged confirmation must not turn the
 * function into a request forwarder. Redirects are not followed.
 * Errors never echo the URL (its query carries the subscription token).
 */
import { err, ok, type ErrorInfo, type Rejection, type Result } from '../domain/types';
import type { SmnHttpMessage } from '../fg/types';
import { reject } from '../events/rejection';
import { canonicalMessageType } from '../events/smn-message';
import { confirmHostsFor, type SmnAuthConfig } from './config';
import { describeFailure, httpsGet } from './https-get';
import { checkFetchableUrl } from './url-policy';

export interface ConfirmDeps {
  /** Deadline of the GET (default 3000 ms: SMN waits 5 s for our answer). */
  timeoutMs?: number;
  /** Trusted CA(s) instead of the system store (tests). */
  ca?: string | Buffer;
}

const DEFAULT_TIMEOUT_MS = 3000;
/** The answer is read and discarded; a cap keeps a hostile server from streaming forever. */
const MAX_ANSWER_BYTES = 64 * 1024;

const failure = (code: string, message: string, httpStatus: number | null = null): ErrorInfo => ({ code, message, httpStatus, requestId: null });

export async function confirmSubscription(
  msg: SmnHttpMessage,
  cfg: SmnAuthConfig,
  deps: ConfirmDeps = {},
): Promise<Result<{ confirmed: true; status: number }, Rejection | ErrorInfo>> {
  if (canonicalMessageType(msg.type) !== 'SubscriptionConfirmation') {
    return err(reject(400, 'not_a_subscription_confirmation', 'type: only a SubscriptionConfirmation can be confirmed'));
  }
  if (msg.subscribe_url === undefined) return err(reject(400, 'missing_subscribe_url', 'subscribe_url: is missing'));
  const url = checkFetchableUrl(msg.subscribe_url, 'subscribe_url', { allowedHosts: confirmHostsFor(cfg, msg.topic_urn) });
  if (!url.ok) return err(reject(403, 'confirm_url_not_allowed', url.error));

  const timeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const response = await httpsGet(url.value, { timeoutMs, maxBytes: MAX_ANSWER_BYTES, ...(deps.ca !== undefined ? { ca: deps.ca } : {}) });
  const where = `subscription confirmation at ${url.value.hostname}`;
  if (!response.ok) {
    const code = response.error.kind === 'timeout' ? 'subscription_confirm_timeout' : 'subscription_confirm_failed';
    return err(failure(code, `${where}: ${describeFailure(response.error, timeoutMs, MAX_ANSWER_BYTES)}`));
  }
  const { status } = response.value;
  if (status >= 300 && status < 400) return err(failure('subscription_confirm_redirect', `${where}: answered a redirect (${status}), not followed`, status));
  if (status < 200 || status >= 300) return err(failure('subscription_confirm_failed', `${where}: answered HTTP ${status}`, status));
  return ok({ confirmed: true, status });
}
