/**
 * Error taxonomy: the mapping of sdk-core's exception shapes (as core builds
 * them; bundles are minified, so only `name` and fields are read) and the
 * sanitizing of outside text. Transport cases that cannot be produced on
 * loopback (DNS, TLS) are covered here on the shapes core produces.
 */
import { DcsError, isDcsError, mapSdkError, sanitizeText } from '../../lib/dcs/errors';
import { AK, SK, TOKEN } from './support/fixtures';
import { SendEvidence, TransportFailure } from '../../lib/dcs/send-evidence';

/** What sdk-core's ExceptionUtil builds when no response came back. */
const transport = (errorMsg: string) => ({ name: 'ServiceResponseException', httpStatusCode: undefined, errorMsg, errorCode: undefined, requestId: undefined });

/** What the transport saw of the attempt (lib/dcs/send-evidence.ts). */
const seen = (connected: boolean) => Object.assign(new SendEvidence(), { observed: true, connected });

describe('transport failures (no HTTP status): sent or not is the socket\'s evidence, never the message', () => {
  test.each([
    ['connect ECONNREFUSED 127.0.0.1:1', 'connection_refused'],
    ['getaddrinfo ENOTFOUND dcs.xx-nowhere-1.myhuaweicloud.com', 'dns_failure'],
    ['getaddrinfo EAI_AGAIN dcs.cn-north-4.myhuaweicloud.com', 'dns_failure'],
    ['connect ETIMEDOUT 10.0.0.1:443', 'timeout'],
    ['connect EHOSTUNREACH 10.0.0.1:443', 'connect_failed'],
    ['self-signed certificate in certificate chain', 'tls_failure'],
    ["Hostname/IP does not match certificate's altnames", 'tls_failure'],
    ['Client network socket disconnected before secure TLS connection was established', 'tls_failure'],
    ['timeout of 5000ms exceeded', 'timeout'],
    ['socket hang up', 'connection_reset'],
    ['read ECONNRESET', 'connection_reset'],
    ['write EPIPE', 'connection_reset'],
    // A corrupted TLS record after DCS answered: the kill was applied (the old message rule said "not sent").
    ['write EPROTO 00F8:error:0A000119:SSL routines:ssl3_get_record:decryption failed or bad record mac', 'tls_failure'],
    ['something nobody expected', 'transport_error'],
  ])('%s → %s; not_sent only when the socket never connected', (message, code) => {
    const never = mapSdkError(new TransportFailure(transport(message), seen(false)), 'hangUpKillAllClients', []);
    expect(never).toBeInstanceOf(DcsError);
    expect([never.kind, never.code, never.httpStatus]).toEqual(['not_sent', code, null]);
    expect(never.message).toContain(message);
    const connected = mapSdkError(new TransportFailure(transport(message), seen(true)), 'hangUpKillAllClients', []);
    expect([connected.kind, connected.code]).toEqual(['outcome_unknown', code]);
    // No evidence at all (not watched): assume the worst.
    expect(mapSdkError(transport(message), 'hangUpKillAllClients', []).kind).toBe('outcome_unknown');
    expect(mapSdkError(new TransportFailure(transport(message), new SendEvidence()), 'op', []).kind).toBe('outcome_unknown');
  });
});

describe('status-based mapping reads fields, not class names', () => {
  test.each([
    [{ name: 'a', httpStatusCode: 400, errorCode: 'DCS.4957', errorMsg: 'not allowed', requestId: 'r1' }, 'rejected', 'DCS.4957'],
    [{ name: 'b', httpStatusCode: 401, errorMsg: 'x' }, 'unauthorized', 'http_401'],
    [{ name: 'c', httpStatusCode: 403, errorCode: 'IAM.0002' }, 'unauthorized', 'IAM.0002'],
    [{ name: 'd', httpStatusCode: 429 }, 'throttled', 'http_429'],
    [{ name: 'e', httpStatusCode: 400, errorCode: 'APIGW.0308' }, 'throttled', 'APIGW.0308'],
    [{ name: 'f', httpStatusCode: 502 }, 'server', 'http_502'],
    [{ name: 'g', httpStatusCode: 301 }, 'rejected', 'unexpected_redirect'],
  ])('%j → %s', (shape, kind, code) => {
    const error = mapSdkError(shape, 'showJobInfo', []);
    expect([error.kind, error.code, error.httpStatus]).toEqual([kind, code, shape.httpStatusCode]);
  });

  test('RequiredError / SdkException (bad credentials or settings) → config', () => {
    expect(mapSdkError({ name: 'RequiredError', message: 'AK cannot be empty or undefined.' }, 'op', []).kind).toBe('config');
    expect(mapSdkError({ name: 'SdkException', message: 'Endpoints cannot be empty.' }, 'op', []).kind).toBe('config');
  });

  test('anything unrecognised is assumed possibly sent (never re-sent as a kill-all)', () => {
    const error = mapSdkError(new TypeError('x is undefined'), 'hangUpKillAllClients', []);
    expect([error.kind, error.retryable]).toEqual(['outcome_unknown', false]);
    expect(mapSdkError('a string', 'op', []).kind).toBe('outcome_unknown');
  });

  test('a DcsError passes through unchanged', () => {
    const original = new DcsError({ kind: 'config', code: 'c', message: 'm' });
    expect(mapSdkError(original, 'op', [])).toBe(original);
  });
});

describe('retryable vs transient', () => {
  test.each([
    ['not_sent', true, true],
    ['throttled', true, true],
    ['server', false, true],
    ['outcome_unknown', false, true],
    ['rejected', false, false],
    ['unauthorized', false, false],
    ['invalid_request', false, false],
    ['config', false, false],
  ] as const)('%s: retryable=%s transient=%s', (kind, retryable, transient) => {
    const error = new DcsError({ kind, code: 'c', message: 'm' });
    expect([error.retryable, error.transient]).toEqual([retryable, transient]);
  });

  test('toJSON carries the safe fields and the kind, no stack', () => {
    const error = new DcsError({ kind: 'server', code: 'http_500', message: 'boom', httpStatus: 500, requestId: 'r' });
    expect(JSON.parse(JSON.stringify(error))).toEqual({ kind: 'server', code: 'http_500', message: 'boom', httpStatus: 500, requestId: 'r' });
  });
});

describe('secrets never reach an error message', () => {
  test('a service message echoing our headers is masked', () => {
    const echoed = `bad request: {"Authorization":"SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=host, Signature=abcdef0123","X-Security-Token":"${TOKEN}"} sk=${SK}`;
    const error = mapSdkError({ name: 'ClientRequestException', httpStatusCode: 400, errorCode: 'X', errorMsg: echoed }, 'op', [AK, SK, TOKEN]);
    for (const secret of [AK, SK, TOKEN, 'abcdef0123']) expect(error.message).not.toContain(secret);
    expect(error.message).toContain('bad request');
  });

  test('header-shaped credentials are masked even when the values are not known', () => {
    const text = sanitizeText('Authorization: SDK-HMAC-SHA256 Access=SOMEAK, Signature=deadbeef x-security-token=SOMETOKEN');
    expect(text).not.toMatch(/SOMEAK|deadbeef|SOMETOKEN/);
  });

  test('control characters are removed and length is bounded', () => {
    const text = sanitizeText(`line1\nline2\u0000${'x'.repeat(1000)}`);
    expect(text).not.toMatch(/[\n\u0000]/);
    expect(text.length).toBeLessThanOrEqual(301);
  });
});

describe('isDcsError across copies of the module', () => {
  // The functions' acting code is a file of its own (dist/<fn>/act.js): its DcsError is another class than index.js's.
  it('recognises a DcsError made by another copy of lib/dcs/errors, and nothing else', () => {
    let other: typeof import('../../lib/dcs/errors') | undefined;
    jest.isolateModules(() => {
      other = require('../../lib/dcs/errors');
    });
    const foreign = new other!.DcsError({ kind: 'config', code: 'DCS.4049', message: 'instance not found' });
    expect(foreign).not.toBeInstanceOf(DcsError);
    expect(isDcsError(foreign)).toBe(true);
    const lookalike = Object.assign(new Error('x'), { name: 'DcsError', kind: 'api', code: 'DCS.4049' });
    expect(isDcsError(lookalike)).toBe(false);
  });
});
