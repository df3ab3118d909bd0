/**
 * GUARD_REDIS_URL → ioredis connection options, without ever echoing the URL: it may hold
 * a password, so every error names the problem, not the input.
 *
 *   redis://[[username]:password@]host[:port][/db][?prefix=<keyPrefix>]
 *   rediss://...   TLS; the server name is checked against the host (pass tlsCa for a private CA,
 *                  e.g. the certificate DCS offers for download)
 *   redis+cluster://[[username]:password@]host[:port][?prefix=<keyPrefix>]
 *   rediss+cluster://...   a native Redis Cluster (DCS "Redis Cluster"): host:port is any one node,
 *                  the client learns the others (CLUSTER SLOTS) and follows MOVED/ASK; no database
 *                  number (a cluster has only database 0)
 *
 * User name and password are percent-decoded (write '@' as %40, ':' as %3A, '/' as %2F).
 * `?prefix=` sets the key prefix when the caller passes none.
 */
import type { RedisOptions } from 'ioredis';
import { err, ok, type Result } from '../domain/types';
import { isIP } from '../net/ip';
import { GuardError } from './types';

export interface RedisTarget {
  /** A native Redis Cluster (redis+cluster://): `connection` is then the seed node, and every node's auth and TLS. */
  cluster: boolean;
  /** Connection options for ioredis (host, port, auth, db, tls); no behaviour options. */
  connection: Pick<RedisOptions, 'host' | 'port' | 'username' | 'password' | 'db' | 'tls'>;
  /** From `?prefix=`, when given. */
  keyPrefix: string | null;
  /** The URL with the password masked: safe for logs. */
  redacted: string;
}

const KNOWN_PARAMS = new Set(['prefix']);

/** Scheme → whether it is a cluster, whether it is TLS. */
const SCHEMES: Readonly<Record<string, { cluster: boolean; tls: boolean }>> = {
  'redis:': { cluster: false, tls: false },
  'rediss:': { cluster: false, tls: true },
  'redis+cluster:': { cluster: true, tls: false },
  'rediss+cluster:': { cluster: true, tls: true },
};

const invalid = (why: string) => err(new GuardError('invalid_guard_config', `GUARD_REDIS_URL ${why}`));

export function parseRedisUrl(raw: string, tlsCa?: string): Result<RedisTarget, GuardError> {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return invalid('is not a valid URL');
  }
  const scheme = Object.hasOwn(SCHEMES, url.protocol) ? SCHEMES[url.protocol] : undefined;
  if (!scheme) return invalid('must start with redis://, rediss://, redis+cluster:// or rediss+cluster://');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!host) return invalid('has no host');
  const port = url.port ? Number(url.port) : 6379;
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0;
  if (!Number.isSafeInteger(db) || db < 0) return invalid('has a path that is not a database number');
  if (scheme.cluster && db !== 0) return invalid('names a database, which a Redis Cluster does not have (only database 0)');
  for (const name of url.searchParams.keys()) {
    if (!KNOWN_PARAMS.has(name)) return invalid(`has an unknown parameter (known: ${[...KNOWN_PARAMS].join(', ')})`);
  }
  const auth = decodeAuth(url);
  if (!auth.ok) return auth;
  const connection: RedisTarget['connection'] = { host, port, db, ...auth.value };
  if (scheme.tls) {
    connection.tls = { ...(isIP(host) !== 0 ? {} : { servername: host }), ...(tlsCa ? { ca: tlsCa } : {}) };
  }
  return ok({ cluster: scheme.cluster, connection, keyPrefix: url.searchParams.get('prefix'), redacted: redact(url) });
}

function decodeAuth(url: URL): Result<{ username?: string; password?: string }, GuardError> {
  try {
    const username = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    // Redis < 6 (older DCS versions) knows only AUTH <password>: send a user name only when given.
    return ok({ ...(username ? { username } : {}), ...(password ? { password } : {}) });
  } catch {
    return invalid('has a badly percent-encoded user name or password');
  }
}

function redact(url: URL): string {
  const copy = new URL(url.href);
  if (copy.password) copy.password = '***';
  return copy.href;
}

