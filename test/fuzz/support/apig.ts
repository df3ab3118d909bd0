/**
 * Delivering an SMN HTTP message the ways the alarm handler may receive it:
 * bare, or inside a FunctionGraph APIG event with every encoding oddity
 * (base64 flag right, wrong or lost, MIME line breaks, BOM, invalid UTF-8,
 * lone surrogates, truncation), methods, content types and X-SMN headers.
 * Each delivery says, judged independently of lib/events, whether a correct
 * endpoint must refuse it at the HTTP level (`refusal`), and what message the
 * endpoint must see when it does not (`effective`).
 */
import fc from 'fast-check';
import { asciiJson, BODY_LIMITS, jsonTextRefusal, shuffledKeys } from './mutate';

export interface Delivery {
  event: unknown;
  what: string;
  /** Why the HTTP layer must refuse it, or null. */
  refusal: string | null;
  /** The SMN message the handler must read when not refused. */
  effective: unknown;
}

type Msg = Record<string, unknown>;

interface BodyText {
  text: string;
  what: string;
}

function bodyTexts(message: Msg): fc.Arbitrary<BodyText> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant({ text: JSON.stringify(message), what: 'compact' }) },
    fc.array(fc.nat(), { minLength: 12, maxLength: 12 }).map((order) => ({ text: JSON.stringify(shuffledKeys(message, order)), what: 'keys shuffled' })),
    fc.constant({ text: asciiJson(message), what: '\\u-escaped' }),
    fc.constant({ text: JSON.stringify(message, null, 2), what: 'pretty' }),
    fc.constant({ text: JSON.stringify(message, null, 2).replace(/\n/g, '\r\n'), what: 'pretty CRLF' }),
    // A key given twice: JSON.parse (and any sane reader) keeps the last one.
    fc
      .tuple(fc.constantFrom('message_id', 'subject', 'message', 'timestamp', 'topic_urn', 'type', 'signature'), fc.boolean())
      .filter(([key]) => message[key] !== undefined)
      .map(([key, same]) => {
        const value = same ? message[key] : `${String(message[key])}x`;
        const text = JSON.stringify(message);
        return { text: `${text.slice(0, -1)}${text.length > 2 ? ',' : ''}${JSON.stringify(key)}:${JSON.stringify(value)}}`, what: `duplicate ${key} (${same ? 'same' : 'other'} value)` };
      }),
  );
}

interface Encoded {
  body: string | null;
  flag: boolean | undefined;
  what: string;
  refusal: string | null;
  /** Extra bytes the encoding adds before the text (a BOM). */
  extraBytes: number;
}

const b64 = (bytes: Buffer): string => bytes.toString('base64');

function encodings(text: string): fc.Arbitrary<Encoded> {
  const bytes = Buffer.from(text, 'utf8');
  const at = fc.nat({ max: Math.max(0, text.length - 1) });
  const plain = (what: string, flag: boolean | undefined, refusal: string | null = null): Encoded => ({ body: text, flag, what, refusal, extraBytes: 0 });
  const base64 = (what: string, flag: boolean | undefined, body = b64(bytes), extraBytes = 0): Encoded => ({ body, flag, what, refusal: null, extraBytes });
  const good: Array<fc.Arbitrary<Encoded>> = [
    fc.constant(base64('base64', true)),
    fc.constant(base64('base64', true)),
    fc.constant(plain('plain', false)),
    fc.constant(plain('plain, flag absent', undefined)),
    fc.constant(plain('plain but flagged base64', true)),
    fc.constant(base64('base64, flag lost', false)),
    fc.constant(base64('base64, flag absent', undefined)),
    fc.constant(base64('base64 with BOM', true, b64(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes])), 3)),
  ];
  // MIME line breaks count toward the cheap pre-decode size check: only for bodies well under the cap.
  if (bytes.length < BODY_LIMITS.maxBytes / 2) good.push(fc.constant(base64('base64, MIME lines', true, b64(bytes).replace(/.{76}/g, '$&\r\n'))));
  const bad: Array<fc.Arbitrary<Encoded>> = [
    fc.tuple(fc.nat({ max: bytes.length }), fc.constantFrom(0xff, 0xc0, 0x80, 0xed)).map(([i, byte]) => ({
      ...base64('invalid UTF-8 byte', true, b64(Buffer.concat([bytes.subarray(0, i), Buffer.from([byte]), bytes.subarray(i)]))),
      refusal: 'invalid UTF-8',
    })),
    at.map((i) => ({ ...plain('lone surrogate', false), body: `${text.slice(0, i)}\udc00${text.slice(i)}`, refusal: 'lone surrogate' })),
    at.map((i) => ({ ...plain('truncated', false), body: text.slice(0, i), refusal: 'truncated JSON' })),
    fc.constantFrom<Encoded>(
      { body: '', flag: true, what: 'empty body', refusal: 'empty', extraBytes: 0 },
      { body: null, flag: false, what: 'null body', refusal: 'empty', extraBytes: 0 },
      { body: '%%% not base64 %%%', flag: true, what: 'flagged garbage', refusal: 'not base64', extraBytes: 0 },
    ),
  ];
  return fc.oneof({ weight: 5, arbitrary: fc.oneof(...good) }, { weight: 1, arbitrary: fc.oneof(...bad) });
}

const METHODS = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('POST', 'post', undefined) },
  { weight: 1, arbitrary: fc.constantFrom('GET', 'PUT', 'DELETE', 'OPTIONS', 'P0ST') },
);

const CONTENT_TYPES = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(undefined, 'application/json', 'application/json; charset=UTF-8', 'text/plain;charset=utf-8', 'application/vnd.smn+json', 'text/json') },
  { weight: 1, arbitrary: fc.constantFrom('text/html', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=iso-8859-1', 'application/xml') },
);

function contentTypeRefusal(ct: string | undefined): string | null {
  if (ct === undefined) return null;
  const [media = '', ...params] = ct.split(';').map((p) => p.trim().toLowerCase());
  const jsonish = ['application/json', 'text/json', 'text/plain'].includes(media) || /^application\/[a-z0-9.+-]+\+json$/.test(media);
  const charset = params.find((p) => p.startsWith('charset='))?.slice(8);
  if (!jsonish) return `content-type ${media}`;
  return charset === undefined || charset === 'utf-8' || charset === 'utf8' ? null : `charset ${charset}`;
}

type HeaderMode = 'none' | 'consistent' | 'mismatched id';

function smnHeaders(effective: unknown, mode: HeaderMode): { headers: Record<string, string>; refusal: string | null } {
  const m = (effective ?? {}) as Msg;
  if (mode === 'none') return { headers: {}, refusal: null };
  const headers: Record<string, string> = {};
  if (typeof m.type === 'string') headers['x-smn-message-type'] = m.type;
  if (typeof m.topic_urn === 'string') headers['x-smn-topic-urn'] = m.topic_urn;
  if (typeof m.message_id === 'string') headers['x-smn-message-id'] = mode === 'consistent' ? m.message_id : `${m.message_id}f`;
  return { headers, refusal: mode === 'mismatched id' && typeof m.message_id === 'string' ? 'X-SMN-Message-Id differs' : null };
}

/** An APIG event (or, sometimes, the bare message) carrying `message`. */
export function delivered(message: Msg): fc.Arbitrary<Delivery> {
  const bare = fc.constant<Delivery>({ event: message, what: 'bare SMN message', refusal: null, effective: message });
  const apig = bodyTexts(message).chain((body) =>
    fc
      .record({
        encoding: encodings(body.text),
        method: METHODS,
        contentType: CONTENT_TYPES,
        headerName: fc.constantFrom('content-type', 'Content-Type'),
        headerMode: fc.constantFrom<HeaderMode>('none', 'consistent', 'consistent', 'mismatched id'),
      })
      .map(({ encoding, method, contentType, headerName, headerMode }): Delivery => {
        const parsedRefusal = jsonTextRefusal(body.text);
        const effective = parsedRefusal === null ? JSON.parse(body.text) : undefined;
        const smn = smnHeaders(effective, headerMode);
        const tooLarge = Buffer.byteLength(body.text, 'utf8') + encoding.extraBytes > BODY_LIMITS.maxBytes ? 'too large' : null;
        const methodRefusal = method !== undefined && method.toUpperCase() !== 'POST' ? `method ${method}` : null;
        const refusal = methodRefusal ?? contentTypeRefusal(contentType) ?? encoding.refusal ?? tooLarge ?? parsedRefusal ?? smn.refusal;
        const headers: Record<string, string> = { host: 'example.apig.cn-north-4.huaweicloudapis.com', ...smn.headers };
        if (contentType !== undefined) headers[headerName] = contentType;
        const event: Record<string, unknown> = {
          body: encoding.body,
          requestContext: { apiId: 'bc1dcffd-aa35-474d-897c-d53425a4c08e', requestId: '11cdcdcf33949dc6d722640a13091c77', stage: 'RELEASE' },
          queryStringParameters: {},
          pathParameters: {},
          headers,
          path: '/cloudeye',
        };
        if (method !== undefined) event.httpMethod = method;
        if (encoding.flag !== undefined) event.isBase64Encoded = encoding.flag;
        return { event, what: `apig ${body.what}, ${encoding.what}, ${method ?? 'no method'}, ${contentType ?? 'no content-type'}, headers ${headerMode}`, refusal, effective };
      }),
  );
  return fc.oneof({ weight: 1, arbitrary: bare }, { weight: 4, arbitrary: apig });
}
