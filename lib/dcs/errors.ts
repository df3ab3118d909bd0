/**
 * The DCS client's error taxonomy. Every failure of a DCS call surfaces as one
 * DcsError whose `kind` tells the caller what is safe to do next:
 *
 * | kind            | meaning                                                          | re-send?             |
 * |-----------------|------------------------------------------------------------------|----------------------|
 * | invalid_request | our input was malformed; nothing was built or sent               | no                   |
 * | config          | settings or credentials missing/invalid; nothing was sent        | no                   |
 * | not_sent        | the connection failed before the request left (refused, DNS)     | yes, even kill-all   |
 * | throttled       | 429: the API refused to act because of rate limits               | yes, with backoff    |
 * | server          | 5xx: the service failed                                          | reads only           |
 * | outcome_unknown | sent, then timeout/reset/garbled answer: it may have been applied | reads only           |
 * | rejected        | 4xx (and 3xx): the service refused this request, see `code`      | no                   |
 * | unauthorized    | 401/403: bad credentials or missing IAM permission               | no                   |
 *
 * Messages are built from safe fields only (status, error code, a sanitized
 * service message), never from request headers, so a DcsError can be logged
 * and audited as is.
 */
import { MASK, maskSecrets } from '../audit/redact';
import type { ErrorInfo } from '../domain/types';
import { TransportFailure, type SendEvidence } from './send-evidence';

export type DcsErrorKind =
  | 'invalid_request'
  | 'config'
  | 'not_sent'
  | 'throttled'
  | 'server'
  | 'outcome_unknown'
  | 'rejected'
  | 'unauthorized';

export interface DcsErrorInit {
  kind: DcsErrorKind;
  /** DCS/APIG error_code when the service sent one (e.g. "DCS.4957"), else our own stable code. */
  code: string;
  message: string;
  httpStatus?: number | null;
  requestId?: string | null;
}

/** Kinds after which the request certainly was not acted on: a re-send is safe even for kill-all. */
const SAFE_TO_RESEND: ReadonlySet<DcsErrorKind> = new Set(['not_sent', 'throttled']);
/** Kinds that may go away on their own: a re-send of an idempotent read may succeed. */
const TRANSIENT: ReadonlySet<DcsErrorKind> = new Set(['not_sent', 'throttled', 'server', 'outcome_unknown']);

export class DcsError extends Error {
  override readonly name = 'DcsError';
  readonly kind: DcsErrorKind;
  readonly code: string;
  readonly httpStatus: number | null;
  readonly requestId: string | null;

  constructor(init: DcsErrorInit) {
    super(init.message);
    this.kind = init.kind;
    this.code = init.code;
    this.httpStatus = init.httpStatus ?? null;
    this.requestId = init.requestId ?? null;
  }

  /** True when re-sending cannot double-apply anything, whatever the call (kill-all included). */
  get retryable(): boolean {
    return SAFE_TO_RESEND.has(this.kind);
  }

  /** True when a re-send of an idempotent read may succeed. Never use it to re-send kill-all. */
  get transient(): boolean {
    return TRANSIENT.has(this.kind);
  }

  /** The audit/log view (lib/domain ErrorInfo). */
  toInfo(): ErrorInfo {
    return { code: this.code, message: this.message, httpStatus: this.httpStatus, requestId: this.requestId };
  }

  /** Only safe fields: no stack, nothing of the request. */
  toJSON(): ErrorInfo & { kind: DcsErrorKind } {
    return { kind: this.kind, ...this.toInfo() };
  }
}

/**
 * A DcsError, whichever copy of this module made it: the functions' acting code
 * is a file of its own (dist/<fn>/act.js, lib/runtime/acting-module.ts), where
 * `instanceof` against index.js's copy of the class would say no.
 */
export function isDcsError(value: unknown): value is DcsError {
  return value instanceof DcsError || (value instanceof Error && (value as { [DCS_ERROR]?: unknown })[DCS_ERROR] === true);
}

/** One brand for every copy of the class (Symbol.for is process-wide). */
const DCS_ERROR = Symbol.for('dcs-session-guard.DcsError');
Object.defineProperty(DcsError.prototype, DCS_ERROR, { value: true });

export const invalidRequest = (code: string, message: string): DcsError =>
  new DcsError({ kind: 'invalid_request', code, message });

export const configError = (code: string, message: string): DcsError =>
  new DcsError({ kind: 'config', code, message });

// --- Sanitizing text that came from outside (service messages, transport errors) ---

const MAX_MESSAGE_LENGTH = 300;

/** Header-shaped fragments that could carry a credential if a service ever echoed our request. */
const SECRET_PATTERNS: readonly (readonly [RegExp, string])[] = [
  [/\b(Access|Signature)=[^\s,"']+/gi, `$1=${MASK}`],
  [/\b(x-security-token|authorization|x-auth-token)(["']?\s*[:=]\s*["']?)[^\s,"'}]+/gi, `$1$2${MASK}`],
];

/**
 * Makes a piece of outside text fit for a log line: masks the given secrets
 * and anything shaped like an auth header, drops control characters, and
 * bounds the length.
 */
export function sanitizeText(text: string, secrets: readonly string[] = []): string {
  let out = maskSecrets(text.replace(/[\u0000-\u001f\u007f]+/g, ' '), secrets);
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out.length > MAX_MESSAGE_LENGTH ? `${out.slice(0, MAX_MESSAGE_LENGTH)}…` : out;
}

// --- Mapping sdk-core failures onto the taxonomy ---
//
// sdk-core raises ClientRequestException (4xx), ServerResponseException (5xx)
// and ServiceResponseException (3xx, or no response at all), all carrying
// httpStatusCode/errorCode/errorMsg/requestId; RequiredError/SdkException for
// bad credentials or settings. Bundles are minified, so we test `name` and the
// fields, never constructor.name. For a missing response core keeps only the
// transport message ("connect ECONNREFUSED ...", "timeout of 5000ms exceeded",
// "socket hang up"): the error code is lost, so the message is all we can read.

/** APIG answers flow control with this code (HTTP 429). */
const THROTTLING_CODES: ReadonlySet<string> = new Set(['APIGW.0308']);
const CONFIG_ERROR_NAMES: ReadonlySet<string> = new Set(['RequiredError', 'SdkException']);
/** The one core exception without a status that means "transport failure". */
const TRANSPORT_ERROR_NAME = 'ServiceResponseException';

/** What a failed sdk-core call carries, sanitized (shared with the FunctionGraph client, lib/deploy). */
export interface SdkFailure {
  name: string;
  status: number | null;
  serviceCode: string | null;
  detail: string;
  requestId: string | null;
}

/** Which service answered, for the messages: DCS by default; SMN and Cloud Eye for the sinks. */
export interface ServiceLabel {
  name: string;
  /** The settings that choose its endpoint, named when it answers a redirect. */
  endpointSettings: string;
}

export const DCS_SERVICE: ServiceLabel = { name: 'DCS', endpointSettings: 'DCS_ENDPOINT/DCS_REGION' };

export function mapSdkError(thrown: unknown, operation: string, secrets: readonly string[], service: ServiceLabel = DCS_SERVICE): DcsError {
  if (isDcsError(thrown)) return thrown;
  const { error, evidence } = thrown instanceof TransportFailure ? { error: thrown.cause, evidence: thrown.evidence } : { error: thrown, evidence: null };
  if (isDcsError(error)) return error;
  const failure = readSdkFailure(error, secrets);
  if (failure.status !== null) return fromHttpStatus(failure, failure.status, operation, service);
  if (CONFIG_ERROR_NAMES.has(failure.name)) {
    return configError('sdk_config', `${operation} not sent: ${failure.detail}`);
  }
  if (failure.name === TRANSPORT_ERROR_NAME) return fromTransport(failure.detail, operation, evidence);
  // Something we do not understand: assume the worst (it may have been sent).
  return new DcsError({ kind: 'outcome_unknown', code: 'unexpected_error', message: `${operation} outcome unknown: ${failure.detail}` });
}

export function readSdkFailure(error: unknown, secrets: readonly string[]): SdkFailure {
  const e = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);
  const status = typeof e.httpStatusCode === 'number' && Number.isInteger(e.httpStatusCode) ? e.httpStatusCode : null;
  const raw = text(e.errorMsg) ?? text(e.message) ?? (typeof error === 'string' ? error : 'unknown error');
  return {
    name: text(e.name) ?? '',
    status,
    serviceCode: text(e.errorCode) === null ? null : sanitizeText(String(e.errorCode), secrets).slice(0, 64),
    detail: sanitizeText(raw, secrets),
    requestId: text(e.requestId) === null ? null : sanitizeText(String(e.requestId), secrets).slice(0, 128),
  };
}

function fromHttpStatus(f: SdkFailure, status: number, operation: string, service: ServiceLabel): DcsError {
  const code = f.serviceCode ?? `http_${status}`;
  const base = { code, httpStatus: status, requestId: f.requestId };
  const said = `HTTP ${status}${f.serviceCode ? ` ${f.serviceCode}` : ''}: ${f.detail}`;
  if (status >= 300 && status < 400) {
    // A redirect is never followed (maxRedirects 0): a re-sent POST would lose its signature.
    // The endpoint is wrong, not the service busy: rejected, not retried.
    return new DcsError({ ...base, code: 'unexpected_redirect', kind: 'rejected', message: `${operation} rejected: the endpoint answered a redirect (HTTP ${status}), not followed; check ${service.endpointSettings}` });
  }
  if (status === 401 || status === 403) {
    return new DcsError({ ...base, kind: 'unauthorized', message: `${operation} unauthorized (${said}); check the credentials and the IAM permissions of the agency` });
  }
  if (status === 429 || (f.serviceCode !== null && THROTTLING_CODES.has(f.serviceCode))) {
    return new DcsError({ ...base, kind: 'throttled', message: `${operation} throttled (${said})` });
  }
  if (status >= 400 && status < 500) {
    return new DcsError({ ...base, kind: 'rejected', message: `${operation} rejected by ${service.name} (${said})` });
  }
  return new DcsError({ ...base, kind: 'server', message: `${operation} failed on the ${service.name} side (${said})` });
}

/**
 * Names for transport failures, read from the message for the audit line only:
 * whether the request was sent is never decided from them.
 */
const TRANSPORT_CODES: readonly (readonly [RegExp, string])[] = [
  [/ECONNREFUSED/, 'connection_refused'],
  [/ENOTFOUND|EAI_AGAIN|getaddrinfo/, 'dns_failure'],
  [/timeout of \d+ms exceeded|ECONNABORTED|ETIMEDOUT|timed? ?out/i, 'timeout'],
  [/certificate|altnames|EPROTO|SSL|TLS/i, 'tls_failure'],
  [/ECONNRESET|socket hang up|EPIPE|aborted/i, 'connection_reset'],
  [/^connect\b|EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL/, 'connect_failed'],
];

/**
 * A failure without an HTTP answer. "Not sent" only on the socket's evidence
 * that nothing left (send-evidence.ts); without it — connected, or not observed
 * — the request may have been applied.
 */
/** A stable name for a transport failure, read from its message: for messages only, never for "was it sent". */
export function transportCode(detail: string): string {
  return TRANSPORT_CODES.find(([pattern]) => pattern.test(detail))?.[1] ?? 'transport_error';
}

function fromTransport(detail: string, operation: string, evidence: SendEvidence | null): DcsError {
  const code = transportCode(detail);
  if (evidence?.provesNotSent) return new DcsError({ kind: 'not_sent', code, message: `${operation} not sent: ${detail}` });
  return new DcsError({ kind: 'outcome_unknown', code, message: `${operation} outcome unknown: ${detail}; the request may have been applied` });
}
