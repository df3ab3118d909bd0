/**
 * The download fallback for signing certificates, used only when no pinned
 * certificate verifies a message (some regions sign with other keys).
 *
 * Huawei advises pinning over downloading (the URL comes from the message an
 * attacker may write), so every rule here narrows what a forged
 * signing_cert_url can make us do: https only, a host on SMN_CERT_HOSTS, a
 * path ending in .pem, no query; a deadline; a size cap; no redirects; the
 * answer must be a currently valid X.509 certificate with an RSA key. Good
 * certificates are cached (bounded, with a TTL) so a burst of alarms costs
 * one download, and concurrent requests for one URL share it.
 */
import type { X509Certificate } from 'node:crypto';
import { err, ok, type Rejection, type Result } from '../domain/types';
import { reject } from '../events/rejection';
import { isCurrentlyValid, parseCertificates } from './certs';
import { describeFailure, httpsGet } from './https-get';
import { checkFetchableUrl } from './url-policy';

/** Downloads (or serves from cache) the certificate at `url`, if `url` is on `allowedHosts`. */
export type CertFetcher = (url: string, allowedHosts: readonly string[], now: number) => Promise<Result<X509Certificate, Rejection>>;

export interface CertFetchOptions {
  /** Deadline of one download (default 2000 ms: SMN gives the whole request 5 s). */
  timeoutMs?: number;
  /** Largest accepted answer (default 16 KiB; a certificate is ~1.5 KiB). */
  maxBytes?: number;
  /** Cached certificates (default 16). */
  cacheSize?: number;
  /** How long a downloaded certificate is trusted without downloading again (default 1 h). */
  cacheTtlMs?: number;
  /** Trusted CA(s) for the TLS connection instead of the system store (tests). */
  ca?: string | Buffer;
}

interface CacheEntry {
  cert: X509Certificate;
  expiresAt: number;
}

const DEFAULTS = { timeoutMs: 2000, maxBytes: 16 * 1024, cacheSize: 16, cacheTtlMs: 3600_000 };

const refuse = (code: string, reason: string): Rejection => reject(401, code, reason);

/** A bounded cache: Map insertion order doubles as least-recently-used order. */
class CertCache {
  private readonly entries = new Map<string, CacheEntry>();
  constructor(private readonly capacity: number) {}

  get(url: string, now: number): X509Certificate | null {
    const entry = this.entries.get(url);
    if (entry === undefined) return null;
    this.entries.delete(url);
    if (entry.expiresAt <= now || !isCurrentlyValid(entry.cert, now)) return null;
    this.entries.set(url, entry);
    return entry.cert;
  }

  set(url: string, cert: X509Certificate, expiresAt: number): void {
    this.entries.delete(url);
    while (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    this.entries.set(url, { cert, expiresAt });
  }

  get size(): number {
    return this.entries.size;
  }
}

export interface CertFetcherWithStats extends CertFetcher {
  /** Downloads actually attempted (cache misses that passed the URL rules). */
  readonly downloads: () => number;
  readonly cacheSize: () => number;
}

export function createCertFetcher(options: CertFetchOptions = {}): CertFetcherWithStats {
  const settings = { ...DEFAULTS, ...options };
  const cache = new CertCache(settings.cacheSize);
  const inFlight = new Map<string, Promise<Result<X509Certificate, Rejection>>>();
  let downloads = 0;

  async function download(url: URL, now: number): Promise<Result<X509Certificate, Rejection>> {
    downloads += 1;
    const response = await httpsGet(url, settings);
    if (!response.ok) {
      const code = response.error.kind === 'timeout' ? 'cert_fetch_timeout' : response.error.kind === 'too_large' ? 'cert_too_large' : 'cert_fetch_failed';
      return err(refuse(code, `signing_cert_url: ${describeFailure(response.error, settings.timeoutMs, settings.maxBytes)}`));
    }
    if (response.value.status !== 200) {
      return err(refuse('cert_fetch_failed', `signing_cert_url: answered HTTP ${response.value.status} (redirects are not followed)`));
    }
    const certs = parseCertificates(response.value.body.toString('utf8'));
    const [cert] = certs.ok ? certs.value : [];
    if (cert === undefined) return err(refuse('cert_invalid', `signing_cert_url: ${certs.ok ? 'no certificate' : certs.error}`));
    if (!isCurrentlyValid(cert, now)) return err(refuse('cert_invalid', 'signing_cert_url: the certificate is expired or not yet valid'));
    cache.set(url.href, cert, now + settings.cacheTtlMs);
    return ok(cert);
  }

  const fetcher = async (raw: string, allowedHosts: readonly string[], now: number): Promise<Result<X509Certificate, Rejection>> => {
    const url = checkFetchableUrl(raw, 'signing_cert_url', { allowedHosts, pathSuffix: '.pem' });
    if (!url.ok) return err(refuse('cert_url_not_allowed', url.error));
    const cached = cache.get(url.value.href, now);
    if (cached !== null) return ok(cached);
    const pending = inFlight.get(url.value.href) ?? download(url.value, now).finally(() => inFlight.delete(url.value.href));
    inFlight.set(url.value.href, pending);
    return pending;
  };
  return Object.assign(fetcher, { downloads: () => downloads, cacheSize: () => cache.size });
}
