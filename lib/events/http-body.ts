/**
 * The body of an APIG trigger event, decoded to text with every oddity
 * decided explicitly:
 *
 * - `isBase64Encoded: true` but the body is not base64 and starts with "{":
 *   used as plain JSON (a gateway that sets the flag and passes text through).
 *   Not base64 and not JSON → 400 invalid_base64.
 * - flag false/absent but the body is base64 whose decoded text starts with
 *   "{": decoded (a lost flag). There is no ambiguity either way: "{" is not in
 *   the base64 alphabet, so JSON text is never valid base64.
 * - Bytes that are not UTF-8, or text with lone surrogates → 400 invalid_utf8.
 * - Empty or absent body → 400; larger than the cap → 413.
 * - Content-Type: JSON types (application/json, application/*+json, text/json)
 *   and text/plain (what some SMN-style senders use) are accepted, charset
 *   utf-8 only; absent is tolerated because the body must parse as JSON anyway.
 *   Anything else → 415.
 */
import { err, ok, type Rejection, type Result } from '../domain/types';
import { reject } from './rejection';
import { exceedsBytes } from './safe-json';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const JSON_MEDIA_TYPES = new Set(['application/json', 'text/json', 'text/plain']);

export function checkContentType(header: string | undefined): Result<void, Rejection> {
  if (header === undefined || header.trim() === '') return ok(undefined);
  const [mediaType = '', ...params] = header.split(';').map((p) => p.trim().toLowerCase());
  const jsonish = JSON_MEDIA_TYPES.has(mediaType) || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType);
  if (!jsonish) return err(reject(415, 'unsupported_media_type', `content-type ${JSON.stringify(mediaType.slice(0, 64))} is not JSON`));
  const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length).replace(/"/g, '');
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    return err(reject(415, 'unsupported_media_type', `content-type charset ${JSON.stringify(charset.slice(0, 32))} is not utf-8`));
  }
  return ok(undefined);
}

const startsLikeJson = (text: string): boolean => /^\s*[{[]/.test(text);

function decodeUtf8(bytes: Buffer): Result<string, Rejection> {
  try {
    return ok(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return err(reject(400, 'invalid_utf8', 'body: is not valid UTF-8'));
  }
}

/** Decodes base64 `body` when it should be, per the rules above; null when it is to be used as text. */
function base64Bytes(body: string, flagged: boolean): Result<Buffer | null, Rejection> {
  const compact = body.replace(/\s+/g, '');
  if (!BASE64.test(compact)) {
    if (!flagged || startsLikeJson(body)) return ok(null);
    return err(reject(400, 'invalid_base64', 'body: isBase64Encoded is true but the body is neither base64 nor JSON'));
  }
  const bytes = Buffer.from(compact, 'base64');
  if (flagged) return ok(bytes);
  // Unflagged but valid base64: decode only if that yields JSON, else it is just odd text.
  return ok(startsLikeJson(bytes.subarray(0, 64).toString('latin1')) ? bytes : null);
}

export function decodeApigBody(
  body: string | null | undefined,
  isBase64Encoded: boolean | null | undefined,
  maxBytes: number,
): Result<string, Rejection> {
  if (body === undefined || body === null || body.trim() === '') return err(reject(400, 'missing_body', 'body: is missing or empty'));
  const tooLarge = reject(413, 'too_large', `body: is larger than ${maxBytes} bytes`);
  // Base64 is 4/3 the size of its bytes: anything longer cannot decode under the cap.
  if (body.length > Math.ceil(maxBytes / 3) * 4 + 4) return err(tooLarge);
  const bytes = base64Bytes(body, isBase64Encoded === true);
  if (!bytes.ok) return bytes;
  if (bytes.value === null) {
    if (LONE_SURROGATE.test(body)) return err(reject(400, 'invalid_utf8', 'body: contains unpaired UTF-16 surrogates'));
    return exceedsBytes(body, maxBytes) ? err(tooLarge) : ok(body);
  }
  if (bytes.value.length > maxBytes) return err(tooLarge);
  return decodeUtf8(bytes.value);
}
