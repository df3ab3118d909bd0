/**
 * Which URLs taken from a message may be fetched: https only, on port 443, a
 * host on an explicit list (names without ports), no user info. Another port
 * is accepted on a loopback address only (a local test server): on a trusted
 * name it could reach a service that is not the one trusted.
 */
import { err, ok, type Result } from '../domain/types';
import { isLoopbackHost } from '../net/ip';

/** A DNS name or IPv4 address, lower case, no port. */
export const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

export interface UrlRules {
  allowedHosts: readonly string[];
  /** e.g. ".pem": the path must end with it, and no query or fragment is allowed. */
  pathSuffix?: string;
}

/** The parsed URL when `raw` may be fetched under `rules`, else why not (naming `field`). */
export function checkFetchableUrl(raw: string, field: string, rules: UrlRules): Result<URL, string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return err(`${field}: is not a URL`);
  }
  if (url.protocol !== 'https:') return err(`${field}: must use https`);
  if (url.username !== '' || url.password !== '') return err(`${field}: must not contain user info`);
  if (!rules.allowedHosts.includes(url.hostname)) return err(`${field}: host ${url.hostname} is not an allowed host`);
  if (url.port !== '' && !isLoopbackHost(url.hostname)) return err(`${field}: must use the https port 443, not ${url.port}`);
  if (rules.pathSuffix !== undefined) {
    if (!url.pathname.endsWith(rules.pathSuffix)) return err(`${field}: path must end with ${rules.pathSuffix}`);
    if (url.search !== '' || url.hash !== '') return err(`${field}: must not have a query or fragment`);
  }
  return ok(url);
}
