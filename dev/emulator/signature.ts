/**
 * Server side of Huawei Cloud's SDK-HMAC-SHA256 request signature (reference/sdk-core.md,
 * "The signature"). The pieces are exported one by one so a test can walk the published
 * vector of the API Request Signing Guide step by step.
 *
 * Everything here is pure: the clock comes in as a parameter, credentials come from a
 * lookup function, and failures are typed values. Secrets never appear in a failure.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { err, ok, type Result } from '../../lib/domain/types';

export const ALGORITHM = 'SDK-HMAC-SHA256';
export const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** The gateway's tolerance between X-Sdk-Date and its own clock. */
export const DEFAULT_MAX_SKEW_MS = 15 * 60 * 1000;
/** Sent instead of a body hash by signers that chose not to sign the body. */
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

// ---------------------------------------------------------------------------------------------
// Canonical request

/** Percent-encodes everything but A-Za-z0-9-_.~ (RFC 3986 unreserved), uppercase hex, UTF-8. */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The raw path as it travelled (still percent-encoded), each segment encoded once more,
 * always ending in '/'. Encoding the raw form again is what the signer does too: it signs the
 * URL it is about to send, so '%' becomes '%25'.
 */
export function canonicalUri(rawPath: string): string {
  const encoded = rawPath.split('/').map(uriEncode).join('/');
  return encoded.endsWith('/') ? encoded : `${encoded}/`;
}

export type QueryParams = Record<string, string | readonly string[]>;

/** Keys sorted, `enc(k)=enc(v)`, the values of a repeated key sorted, joined by '&'. */
export function canonicalQuery(query: QueryParams): string {
  const pairs: string[] = [];
  for (const key of Object.keys(query).sort()) {
    const value = query[key] ?? '';
    const values = typeof value === 'string' ? [value] : [...value].sort();
    for (const v of values) pairs.push(`${uriEncode(key)}=${uriEncode(v)}`);
  }
  return pairs.join('&');
}

/** Decoded query parameters of a raw query string; a repeated key gives an array. */
export function parseQuery(rawQuery: string): QueryParams {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(rawQuery)) {
    const prev = out[key];
    if (prev === undefined) out[key] = value;
    else out[key] = Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

export interface CanonicalRequestInput {
  method: string;
  /** Path as received, percent-encoded, without the query. */
  rawPath: string;
  query: QueryParams;
  /** Header values by lower-case name. */
  headers: Record<string, string>;
  /** Lower-case names, in the order the Authorization header lists them. */
  signedHeaders: readonly string[];
  /** Hex SHA-256 of the body (or the X-Sdk-Content-Sha256 value). */
  payloadHash: string;
}

export function canonicalRequest(input: CanonicalRequestInput): string {
  const headerLines = input.signedHeaders.map((name) => `${name}:${(input.headers[name] ?? '').trim()}\n`).join('');
  return [
    input.method.toUpperCase(),
    canonicalUri(input.rawPath),
    canonicalQuery(input.query),
    headerLines,
    input.signedHeaders.join(';'),
    input.payloadHash,
  ].join('\n');
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function stringToSign(sdkDate: string, canonical: string): string {
  return `${ALGORITHM}\n${sdkDate}\n${sha256Hex(canonical)}`;
}

/** Hex HMAC-SHA256 keyed with the SK string itself. */
export function sign(sk: string, toSign: string): string {
  return createHmac('sha256', sk).update(toSign).digest('hex');
}

// ---------------------------------------------------------------------------------------------
// Parsing the request's auth material

export interface ParsedAuthorization {
  ak: string;
  signedHeaders: string[];
  signature: string;
}

const AUTH_PATTERN = /^SDK-HMAC-SHA256\s+Access=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-fA-F]{64})\s*$/;

export function parseAuthorization(header: string): ParsedAuthorization | null {
  const m = AUTH_PATTERN.exec(header);
  if (!m || m[1] === undefined || m[2] === undefined || m[3] === undefined) return null;
  const signedHeaders = m[2].split(';');
  if (signedHeaders.some((h) => h === '' || h !== h.toLowerCase())) return null;
  return { ak: m[1], signedHeaders, signature: m[3].toLowerCase() };
}

const SDK_DATE_PATTERN = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** `YYYYMMDDTHHmmssZ` (UTC) to epoch ms; null when malformed or not a real date. */
export function parseSdkDate(value: string): number | null {
  const m = SDK_DATE_PATTERN.exec(value);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  // Date.UTC rolls 20190230 over to March: a round trip catches impossible dates.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null;
  return ms;
}

/** Formats epoch ms as an X-Sdk-Date value. */
export function formatSdkDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

// ---------------------------------------------------------------------------------------------
// Verification

export type AuthFailureKind =
  | 'missing_authorization'
  | 'malformed_authorization'
  | 'unsigned_required_header'
  | 'missing_sdk_date'
  | 'malformed_sdk_date'
  | 'stale_sdk_date'
  | 'unknown_ak'
  | 'missing_security_token'
  | 'body_hash_mismatch'
  | 'bad_signature'
  | 'project_mismatch';

/**
 * A refused request, as the API gateway answers it. All IAM authentication failures share
 * APIGW.0301/401 (what the real gateway answers, e.g. "ak ... not exist", "verify aksk
 * signature fail"); a credential used for another project is refused with APIGW.0302/403
 * ("not authorized"). `kind` tells tests exactly which check failed. Messages name the
 * failed check, never a key, a token or the expected signature.
 */
export interface AuthFailure {
  kind: AuthFailureKind;
  status: 401 | 403;
  errorCode: 'APIGW.0301' | 'APIGW.0302';
  errorMsg: string;
}

const FAILURE_DETAIL: Record<AuthFailureKind, string> = {
  missing_authorization: 'Authorization header not found',
  malformed_authorization: 'Authorization header is malformed',
  unsigned_required_header: 'host and x-sdk-date must be signed headers',
  missing_sdk_date: 'x-sdk-date header not found',
  malformed_sdk_date: 'x-sdk-date is not in the format YYYYMMDDTHHmmssZ',
  stale_sdk_date: 'x-sdk-date is too far from the server time',
  unknown_ak: 'ak not exist',
  missing_security_token: 'the security token of a temporary access key is missing or unsigned',
  body_hash_mismatch: 'x-sdk-content-sha256 does not match the body',
  bad_signature: 'verify aksk signature fail',
  project_mismatch: 'the project id does not belong to the credential',
};

export function authFailure(kind: AuthFailureKind): AuthFailure {
  if (kind === 'project_mismatch') {
    return { kind, status: 403, errorCode: 'APIGW.0302', errorMsg: `The IAM user is not authorized to access the API: ${FAILURE_DETAIL[kind]}` };
  }
  return { kind, status: 401, errorCode: 'APIGW.0301', errorMsg: `Incorrect IAM authentication information: ${FAILURE_DETAIL[kind]}` };
}

/** A credential the emulator knows. A temporary credential also has a security token. */
export interface Credential {
  ak: string;
  sk: string;
  projectId: string;
  securityToken?: string;
}

export interface SignedRequest {
  method: string;
  /** Path and query exactly as received (`req.url`). */
  url: string;
  /** Lower-case names, as Node's IncomingMessage gives them. */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface VerifyOptions {
  lookup: (ak: string) => Credential | undefined;
  now: () => number;
  maxSkewMs?: number;
}

/** Checks the signature; on success gives the credential the request was signed with. */
export function verify(request: SignedRequest, options: VerifyOptions): Result<Credential, AuthFailure> {
  const headers = flattenHeaders(request.headers);
  const authHeader = headers['authorization'];
  if (authHeader === undefined) return err(authFailure('missing_authorization'));
  const auth = parseAuthorization(authHeader);
  if (!auth) return err(authFailure('malformed_authorization'));
  if (!auth.signedHeaders.includes('host') || !auth.signedHeaders.includes('x-sdk-date')) return err(authFailure('unsigned_required_header'));

  const dateCheck = checkSdkDate(headers['x-sdk-date'], options.now(), options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS);
  if (dateCheck) return err(authFailure(dateCheck));

  const credential = options.lookup(auth.ak);
  if (!credential) return err(authFailure('unknown_ak'));
  if (credential.securityToken !== undefined && !tokenSigned(headers, auth.signedHeaders, credential.securityToken)) {
    return err(authFailure('missing_security_token'));
  }

  const payloadHash = choosePayloadHash(headers, request.body);
  if (payloadHash === null) return err(authFailure('body_hash_mismatch'));

  const [rawPath = '', rawQuery = ''] = splitUrl(request.url);
  let canonical: string;
  try {
    canonical = canonicalRequest({
      method: request.method,
      rawPath,
      query: parseQuery(rawQuery),
      headers,
      signedHeaders: auth.signedHeaders,
      payloadHash,
    });
  } catch {
    // encodeURIComponent throws on lone surrogates: such a request cannot have been signed.
    return err(authFailure('bad_signature'));
  }
  const expected = sign(credential.sk, stringToSign(headers['x-sdk-date'] ?? '', canonical));
  return signaturesEqual(expected, auth.signature) ? ok(credential) : err(authFailure('bad_signature'));
}

/**
 * The project a request acts on must be the credential's: both the X-Project-Id header (when
 * sent) and the {project_id} segment of the path.
 */
export function checkProjectScope(credential: Credential, headerProjectId: string | undefined, pathProjectId: string | undefined): AuthFailure | null {
  if (headerProjectId !== undefined && headerProjectId !== credential.projectId) return authFailure('project_mismatch');
  if (pathProjectId !== undefined && pathProjectId !== credential.projectId) return authFailure('project_mismatch');
  return null;
}

function checkSdkDate(value: string | undefined, nowMs: number, maxSkewMs: number): AuthFailureKind | null {
  if (value === undefined) return 'missing_sdk_date';
  const signedAt = parseSdkDate(value);
  if (signedAt === null) return 'malformed_sdk_date';
  return Math.abs(nowMs - signedAt) > maxSkewMs ? 'stale_sdk_date' : null;
}

function tokenSigned(headers: Record<string, string>, signed: readonly string[], token: string): boolean {
  const sent = headers['x-security-token'];
  return sent !== undefined && signed.includes('x-security-token') && safeEqual(sent, token);
}

/**
 * The hash that goes into the canonical request. A signer may send X-Sdk-Content-Sha256
 * (sdk-core does for non-JSON bodies); we accept it only when it is the body's real hash, or
 * UNSIGNED-PAYLOAD with an empty body, so a signature never covers a body it did not see.
 * Stricter than the gateway on purpose.
 */
function choosePayloadHash(headers: Record<string, string>, body: Buffer): string | null {
  const actual = body.length === 0 ? EMPTY_BODY_SHA256 : sha256Hex(body);
  const declared = headers['x-sdk-content-sha256'];
  if (declared === undefined) return actual;
  if (declared === UNSIGNED_PAYLOAD) return body.length === 0 ? declared : null;
  return declared.toLowerCase() === actual ? declared : null;
}

function signaturesEqual(expectedHex: string, givenHex: string): boolean {
  const a = Buffer.from(expectedHex, 'hex');
  const b = Buffer.from(givenHex, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Node joins repeated headers into arrays for a few names; the signature sees them comma-joined. */
function flattenHeaders(headers: SignedRequest['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  return out;
}

function splitUrl(url: string): [string, string] {
  const q = url.indexOf('?');
  return q < 0 ? [url, ''] : [url.slice(0, q), url.slice(q + 1)];
}
