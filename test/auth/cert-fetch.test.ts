import { X509Certificate } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { createCertFetcher } from '../../lib/auth/cert-fetch';
import { byPath, useHttpsServer } from './support/https-server';
import { OTHER_CERT, SIGNING_CERT, SIGNING_KEY, TEST_NOW, TLS_CERT } from './support/keys';

/** Routes of the local certificate server. */
const routes: Record<string, (res: ServerResponse) => void> = {
  '/ok.pem': (res) => res.writeHead(200).end(SIGNING_CERT),
  '/other.pem': (res) => res.writeHead(200).end(OTHER_CERT),
  '/third.pem': (res) => res.writeHead(200).end(SIGNING_CERT),
  '/big.pem': (res) => res.writeHead(200).end(SIGNING_CERT + ' '.repeat(20 * 1024)),
  '/big-chunked.pem': (res) => {
    res.writeHead(200, { 'transfer-encoding': 'chunked' });
    for (let i = 0; i < 20; i += 1) res.write(' '.repeat(1024));
    res.end(SIGNING_CERT);
  },
  '/slow.pem': () => undefined, // never answers
  '/redirect.pem': (res) => res.writeHead(302, { location: '/ok.pem' }).end(),
  '/missing.pem': (res) => res.writeHead(404).end('not found'),
  '/garbage.pem': (res) => res.writeHead(200).end('hello, not a certificate'),
  '/with-key.pem': (res) => res.writeHead(200).end(SIGNING_KEY + SIGNING_CERT),
};

const server = useHttpsServer(byPath(routes));

const LOCAL = ['127.0.0.1'];
const url = (p: string) => `${server.origin}${p}`;
const refusal = (code: string) => ({ ok: false, error: expect.objectContaining({ status: 401, code }) });
const fingerprintOf = (result: { ok: boolean; value?: X509Certificate }) => (result.ok ? result.value!.fingerprint256 : null);

describe('createCertFetcher', () => {
  it('downloads a certificate from an allowed host over https', async () => {
    const fetcher = createCertFetcher({ ca: TLS_CERT });
    const result = await fetcher(url('/ok.pem'), LOCAL, TEST_NOW);
    expect(fingerprintOf(result as never)).toBe(new X509Certificate(SIGNING_CERT).fingerprint256);
    expect(server.requests).toEqual(['GET /ok.pem']);
  });

  it('verifies the server certificate (no CA given: self-signed test server refused)', async () => {
    const result = await createCertFetcher()(url('/ok.pem'), LOCAL, TEST_NOW);
    expect(result).toEqual(refusal('cert_fetch_failed'));
  });

  describe('URL rules: refused before any connection', () => {
    it.each([
      ['http', () => url('/ok.pem').replace('https:', 'http:'), LOCAL],
      ['host not allowed', () => url('/ok.pem'), ['smn.cn-north-4.myhuaweicloud.com']],
      ['no hosts allowed', () => url('/ok.pem'), []],
      ['not a .pem path', () => url('/ok.txt'), LOCAL],
      ['.pem in the query only', () => url('/ok?x=.pem'), LOCAL],
      ['a query after .pem', () => url('/ok.pem?x=1'), LOCAL],
      ['user info', () => url('/ok.pem').replace('https://', 'https://user:pw@'), LOCAL],
      ['not a URL', () => 'smn/ok.pem', LOCAL],
    ])('%s', async (_what, makeUrl, hosts) => {
      const fetcher = createCertFetcher({ ca: TLS_CERT });
      expect(await fetcher(makeUrl(), hosts, TEST_NOW)).toEqual(refusal('cert_url_not_allowed'));
      expect(fetcher.downloads()).toBe(0);
      expect(server.requests).toEqual([]);
    });
  });

  describe('answers refused', () => {
    it.each([
      ['oversized (content-length)', '/big.pem', 'cert_too_large'],
      ['oversized (chunked)', '/big-chunked.pem', 'cert_too_large'],
      ['a redirect, not followed', '/redirect.pem', 'cert_fetch_failed'],
      ['HTTP 404', '/missing.pem', 'cert_fetch_failed'],
      ['not a certificate', '/garbage.pem', 'cert_invalid'],
      ['a private key with the certificate', '/with-key.pem', 'cert_invalid'],
    ])('%s', async (_what, p, code) => {
      const fetcher = createCertFetcher({ ca: TLS_CERT });
      expect(await fetcher(url(p), LOCAL, TEST_NOW)).toEqual(refusal(code));
      expect(server.requests).toEqual([`GET ${p}`]);
    });

    it('a server that never answers, after the timeout', async () => {
      const fetcher = createCertFetcher({ ca: TLS_CERT, timeoutMs: 300 });
      expect(await fetcher(url('/slow.pem'), LOCAL, TEST_NOW)).toEqual(refusal('cert_fetch_timeout'));
    });

    it('a certificate outside its validity period', async () => {
      const expired = Date.parse(new X509Certificate(SIGNING_CERT).validTo) + 1000;
      expect(await createCertFetcher({ ca: TLS_CERT })(url('/ok.pem'), LOCAL, expired)).toEqual(refusal('cert_invalid'));
    });
  });

  describe('cache', () => {
    it('serves repeated and concurrent requests from one download', async () => {
      const fetcher = createCertFetcher({ ca: TLS_CERT });
      const results = await Promise.all([1, 2, 3].map(() => fetcher(url('/ok.pem'), LOCAL, TEST_NOW)));
      await fetcher(url('/ok.pem'), LOCAL, TEST_NOW + 1000);
      expect(results.every((r) => r.ok)).toBe(true);
      expect(fetcher.downloads()).toBe(1);
      expect(server.requests).toEqual(['GET /ok.pem']);
    });
    it('downloads again after the TTL', async () => {
      const fetcher = createCertFetcher({ ca: TLS_CERT, cacheTtlMs: 60_000 });
      await fetcher(url('/ok.pem'), LOCAL, TEST_NOW);
      await fetcher(url('/ok.pem'), LOCAL, TEST_NOW + 60_001);
      expect(server.requests).toEqual(['GET /ok.pem', 'GET /ok.pem']);
    });
    it('is bounded, evicting the least recently used entry', async () => {
      const fetcher = createCertFetcher({ ca: TLS_CERT, cacheSize: 2 });
      for (const p of ['/ok.pem', '/other.pem', '/ok.pem', '/third.pem', '/ok.pem', '/other.pem']) {
        expect((await fetcher(url(p), LOCAL, TEST_NOW)).ok).toBe(true);
      }
      // /ok.pem was used again before /third.pem arrived, so /other.pem was the one evicted.
      expect(server.requests).toEqual(['GET /ok.pem', 'GET /other.pem', 'GET /third.pem', 'GET /other.pem']);
      expect(fetcher.cacheSize()).toBe(2);
    });
    it('does not cache failures', async () => {
      const fetcher = createCertFetcher({ ca: TLS_CERT });
      await fetcher(url('/garbage.pem'), LOCAL, TEST_NOW);
      await fetcher(url('/garbage.pem'), LOCAL, TEST_NOW);
      expect(fetcher.downloads()).toBe(2);
    });
    it('still applies the host rule to cached URLs', async () => {
      const fetcher = createCertFetcher({ ca: TLS_CERT });
      await fetcher(url('/ok.pem'), LOCAL, TEST_NOW);
      expect(await fetcher(url('/ok.pem'), ['smn.example.com'], TEST_NOW)).toEqual(refusal('cert_url_not_allowed'));
    });
  });
});
