/**
 * The verifier against the published vector of Huawei's API Request Signing Guide
 * (reference/signing-vectors.md), then against tampering of each signed part.
 */
import {
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  checkProjectScope,
  formatSdkDate,
  parseAuthorization,
  parseSdkDate,
  sha256Hex,
  sign,
  stringToSign,
  verify,
  type Credential,
  type SignedRequest,
  type VerifyOptions,
} from '../../dev/emulator/signature';

const V = {
  ak: 'QTWAOYTTINDUT2QVKYUC',
  sk: 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc',
  date: '20191115T033655Z',
  url: '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0',
  canonical: [
    'GET',
    '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/',
    'limit=2&marker=13551d6b-755d-4757-b956-536f674975c0',
    'content-type:application/json',
    'host:service.region.example.com',
    'x-sdk-date:20191115T033655Z',
    '',
    'content-type;host;x-sdk-date',
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  ].join('\n'),
  canonicalHash: 'b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a',
  signature: '7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
};
const AUTHORIZATION = `SDK-HMAC-SHA256 Access=${V.ak}, SignedHeaders=content-type;host;x-sdk-date, Signature=${V.signature}`;
const signedAt = parseSdkDate(V.date) as number;
const vectorCredential: Credential = { ak: V.ak, sk: V.sk, projectId: '77b6a44cba5143ab91d13ab9a8ff44fd' };

function vectorRequest(overrides: Partial<SignedRequest> = {}, headerOverrides: Record<string, string | undefined> = {}): SignedRequest {
  return {
    method: 'GET',
    url: V.url,
    body: Buffer.alloc(0),
    ...overrides,
    headers: {
      'content-type': 'application/json',
      host: 'service.region.example.com',
      'x-sdk-date': V.date,
      authorization: AUTHORIZATION,
      ...headerOverrides,
    },
  };
}

const options = (nowMs = signedAt + 60_000, credentials: Credential[] = [vectorCredential]): VerifyOptions => ({
  lookup: (ak: string) => credentials.find((c) => c.ak === ak),
  now: () => nowMs,
});

function failureKind(request: SignedRequest, opts = options()): string | null {
  const r = verify(request, opts);
  return r.ok ? null : r.error.kind;
}

describe('the published SDK-HMAC-SHA256 vector, step by step', () => {
  const canonical = canonicalRequest({
    method: 'GET',
    rawPath: '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs',
    query: { limit: '2', marker: '13551d6b-755d-4757-b956-536f674975c0' },
    headers: { 'content-type': 'application/json', host: 'service.region.example.com', 'x-sdk-date': V.date },
    signedHeaders: ['content-type', 'host', 'x-sdk-date'],
    payloadHash: sha256Hex(''),
  });

  it('builds the canonical request line for line', () => {
    expect(canonical).toBe(V.canonical);
  });

  it('hashes the canonical request to the published value', () => {
    expect(sha256Hex(canonical)).toBe(V.canonicalHash);
    expect(stringToSign(V.date, canonical)).toBe(`SDK-HMAC-SHA256\n${V.date}\n${V.canonicalHash}`);
  });

  it('signs to the published signature with the SK', () => {
    expect(sign(V.sk, stringToSign(V.date, canonical))).toBe(V.signature);
  });

  it('parses the published Authorization header', () => {
    expect(parseAuthorization(AUTHORIZATION)).toEqual({ ak: V.ak, signedHeaders: ['content-type', 'host', 'x-sdk-date'], signature: V.signature });
  });

  it('verifies the whole published request', () => {
    const result = verify(vectorRequest(), options());
    expect(result).toEqual({ ok: true, value: vectorCredential });
  });
});

describe('rejections', () => {
  it('rejects a tampered body', () => {
    expect(failureKind(vectorRequest({ body: Buffer.from('{"kill_all_nodes":true}') }))).toBe('bad_signature');
  });

  it('rejects a tampered path, query, method or signed header', () => {
    expect(failureKind(vectorRequest({ url: V.url.replace('vpcs', 'subnets') }))).toBe('bad_signature');
    expect(failureKind(vectorRequest({ url: V.url.replace('limit=2', 'limit=3') }))).toBe('bad_signature');
    expect(failureKind(vectorRequest({ method: 'DELETE' }))).toBe('bad_signature');
    expect(failureKind(vectorRequest({}, { host: 'evil.example.com' }))).toBe('bad_signature');
  });

  it('rejects a signature made with another SK', () => {
    const wrongSk = [{ ...vectorCredential, sk: `${V.sk}x` }];
    expect(failureKind(vectorRequest(), options(signedAt, wrongSk))).toBe('bad_signature');
  });

  it('rejects an unknown AK', () => {
    expect(failureKind(vectorRequest(), options(signedAt, []))).toBe('unknown_ak');
  });

  it('rejects a date older than 15 minutes, and one more than 15 minutes ahead', () => {
    const fifteen = 15 * 60 * 1000;
    expect(failureKind(vectorRequest(), options(signedAt + fifteen))).toBeNull();
    expect(failureKind(vectorRequest(), options(signedAt + fifteen + 1000))).toBe('stale_sdk_date');
    expect(failureKind(vectorRequest(), options(signedAt - fifteen - 1000))).toBe('stale_sdk_date');
  });

  it('honours a custom skew', () => {
    expect(failureKind(vectorRequest(), { ...options(signedAt + 61_000), maxSkewMs: 60_000 })).toBe('stale_sdk_date');
  });

  it('names missing and malformed auth material', () => {
    expect(failureKind(vectorRequest({}, { authorization: undefined }))).toBe('missing_authorization');
    expect(failureKind(vectorRequest({}, { authorization: 'Bearer abc' }))).toBe('malformed_authorization');
    expect(failureKind(vectorRequest({}, { authorization: AUTHORIZATION.replace(V.signature, 'zz') }))).toBe('malformed_authorization');
    expect(failureKind(vectorRequest({}, { 'x-sdk-date': undefined }))).toBe('missing_sdk_date');
    expect(failureKind(vectorRequest({}, { 'x-sdk-date': '2019-11-15T03:36:55Z' }))).toBe('malformed_sdk_date');
    expect(failureKind(vectorRequest({}, { 'x-sdk-date': '20190230T033655Z' }))).toBe('malformed_sdk_date');
    const withoutHost = AUTHORIZATION.replace('content-type;host;x-sdk-date', 'content-type;x-sdk-date');
    expect(failureKind(vectorRequest({}, { authorization: withoutHost }))).toBe('unsigned_required_header');
  });

  it('maps every failure to a Huawei-style answer that holds no secret', () => {
    const r = verify(vectorRequest({ body: Buffer.from('x') }), options());
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({ status: 401, errorCode: 'APIGW.0301' });
    expect(r.error.errorMsg).toMatch(/^Incorrect IAM authentication information: /);
    expect(JSON.stringify(r.error)).not.toContain(V.sk);
    expect(JSON.stringify(r.error)).not.toContain(V.ak);
  });
});

describe('temporary credentials and the body hash header', () => {
  const token = 'TEMPORARY-TOKEN-value';
  const temp: Credential = { ...vectorCredential, securityToken: token };

  /** Signs the vector's request with extra signed headers using the verifier's own pieces. */
  function signWith(extra: Record<string, string>, body = ''): SignedRequest {
    const headers: Record<string, string> = { 'content-type': 'application/json', host: 'service.region.example.com', 'x-sdk-date': V.date, ...extra };
    const names = Object.keys(headers).sort();
    const payload = extra['x-sdk-content-sha256'] ?? sha256Hex(body);
    const canonical = canonicalRequest({ method: 'POST', rawPath: '/v1/x', query: {}, headers, signedHeaders: names, payloadHash: payload });
    const signature = sign(V.sk, stringToSign(V.date, canonical));
    return {
      method: 'POST',
      url: '/v1/x',
      body: Buffer.from(body),
      headers: { ...headers, authorization: `SDK-HMAC-SHA256 Access=${V.ak}, SignedHeaders=${names.join(';')}, Signature=${signature}` },
    };
  }

  it('requires the signed security token of a temporary credential', () => {
    expect(failureKind(signWith({ 'x-security-token': token }), options(signedAt, [temp]))).toBeNull();
    expect(failureKind(signWith({}), options(signedAt, [temp]))).toBe('missing_security_token');
    expect(failureKind(signWith({ 'x-security-token': 'other' }), options(signedAt, [temp]))).toBe('missing_security_token');
  });

  it('accepts UNSIGNED-PAYLOAD only without a body, and a declared hash only when it is the real one', () => {
    expect(failureKind(signWith({ 'x-sdk-content-sha256': 'UNSIGNED-PAYLOAD' }), options(signedAt))).toBeNull();
    expect(failureKind(signWith({ 'x-sdk-content-sha256': 'UNSIGNED-PAYLOAD' }, '{"a":1}'), options(signedAt))).toBe('body_hash_mismatch');
    expect(failureKind(signWith({ 'x-sdk-content-sha256': sha256Hex('{"a":1}') }, '{"a":1}'), options(signedAt))).toBeNull();
    expect(failureKind(signWith({ 'x-sdk-content-sha256': sha256Hex('{"a":2}') }, '{"a":1}'), options(signedAt))).toBe('body_hash_mismatch');
  });
});

describe('canonical pieces', () => {
  it('re-encodes each path segment and always ends in a slash', () => {
    expect(canonicalUri('/v2/p/instances/a%20b')).toBe('/v2/p/instances/a%2520b/');
    expect(canonicalUri('/v2/p/')).toBe('/v2/p/');
    expect(canonicalUri('/a(b)*!')).toBe('/a%28b%29%2A%21/');
  });

  it('sorts keys and repeated values, and encodes like the SDK', () => {
    expect(canonicalQuery({ z: '1', a: ['b', 'a'], 'k y': 'v/w~' })).toBe('a=a&a=b&k%20y=v%2Fw~&z=1');
    expect(canonicalQuery({})).toBe('');
  });

  it('formats and parses X-Sdk-Date', () => {
    expect(formatSdkDate(signedAt)).toBe(V.date);
    expect(parseSdkDate(formatSdkDate(1_700_000_000_000))).toBe(1_700_000_000_000);
  });

  it('checks the project scope of header and path', () => {
    expect(checkProjectScope(vectorCredential, vectorCredential.projectId, vectorCredential.projectId)).toBeNull();
    expect(checkProjectScope(vectorCredential, 'other', vectorCredential.projectId)).toMatchObject({ kind: 'project_mismatch', status: 403 });
    expect(checkProjectScope(vectorCredential, undefined, 'other')).toMatchObject({ kind: 'project_mismatch', status: 403 });
  });
});
