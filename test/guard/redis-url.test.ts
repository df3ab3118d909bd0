/** GUARD_REDIS_URL parsing: the options built for ioredis, and errors that never echo the URL. */
import { parseRedisUrl } from '../../lib/guard/redis-url';

const SECRET = 'pa:ss@w/rd%';
const ENCODED = encodeURIComponent(SECRET);

function parsed(url: string, ca?: string) {
  const result = parseRedisUrl(url, ca);
  if (!result.ok) throw new Error(`expected ${url} to parse: ${result.error.message}`);
  return result.value;
}

describe('parseRedisUrl', () => {
  it('redis:// with host, port, database and no auth', () => {
    expect(parsed('redis://10.0.0.5:6380/2')).toEqual({
      cluster: false,
      connection: { host: '10.0.0.5', port: 6380, db: 2 },
      keyPrefix: null,
      redacted: 'redis://10.0.0.5:6380/2',
    });
  });

  it('defaults to port 6379 and database 0', () => {
    expect(parsed('redis://redis.internal').connection).toEqual({ host: 'redis.internal', port: 6379, db: 0 });
  });

  it('decodes a percent-encoded password, sends no user name when none is given, and redacts the password', () => {
    const url = `redis://:${encodeURIComponent(SECRET)}@cache:6379`;
    const value = parsed(url);
    expect(value.connection).toEqual({ host: 'cache', port: 6379, db: 0, password: SECRET });
    expect(value.redacted).toBe('redis://:***@cache:6379');
  });

  it('passes a user name (Redis 6 ACL) along with the password', () => {
    expect(parsed('redis://guard:s3cret@cache/1').connection).toEqual({ host: 'cache', port: 6379, db: 1, username: 'guard', password: 's3cret' });
  });

  it('rediss:// turns TLS on, checks the server name against the host, and takes a CA', () => {
    const value = parsed('rediss://:s3cret@redis-abc.dcs.huaweicloud.com:6380', '-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----');
    expect(value.connection.tls).toEqual({ servername: 'redis-abc.dcs.huaweicloud.com', ca: '-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----' });
    expect(value.connection.port).toBe(6380);
    expect(value.redacted).toBe('rediss://:***@redis-abc.dcs.huaweicloud.com:6380');
  });

  it('rediss:// to an IP address sends no server name (SNI is for host names)', () => {
    expect(parsed('rediss://192.168.0.10:6379').connection.tls).toEqual({});
    expect(parsed('rediss://[::1]:6379').connection).toMatchObject({ host: '::1', tls: {} });
  });

  it('redis+cluster:// is a native Redis Cluster: one seed node, its auth used for every node, database 0', () => {
    const value = parsed(`redis+cluster://:${ENCODED}@10.0.0.7:6379?prefix=p:`);
    expect(value).toEqual({
      cluster: true,
      connection: { host: '10.0.0.7', port: 6379, db: 0, password: SECRET },
      keyPrefix: 'p:',
      redacted: 'redis+cluster://:***@10.0.0.7:6379?prefix=p:',
    });
    expect(parsed('redis+cluster://10.0.0.7/').connection.db).toBe(0);
  });

  it('rediss+cluster:// is a cluster over TLS', () => {
    const value = parsed('rediss+cluster://:pw@redis-c.dcs.example:6379', 'PEM');
    expect(value.cluster).toBe(true);
    expect(value.connection.tls).toEqual({ servername: 'redis-c.dcs.example', ca: 'PEM' });
  });

  it('reads the key prefix from ?prefix=', () => {
    expect(parsed('redis://cache:6379?prefix=team-a:').keyPrefix).toBe('team-a:');
  });

  it.each([
    ['not a URL', `redis://:${ENCODED}@cache:port`, 'is not a valid URL'],
    ['another scheme', `http://:${ENCODED}@cache:6379`, 'must start with redis://, rediss://, redis+cluster:// or rediss+cluster://'],
    ['a database on a cluster', `redis+cluster://:${ENCODED}@cache:6379/2`, 'a Redis Cluster does not have'],
    ['a path that is no database', `redis://:${ENCODED}@cache:6379/abc`, 'not a database number'],
    ['an unknown parameter', `redis://cache:6379?password=${ENCODED}`, 'unknown parameter'],
    ['a bad percent escape', 'redis://:%E0%A4%A@cache:6379', 'badly percent-encoded'],
  ])('refuses %s, without echoing the URL', (_what, url, why) => {
    const result = parseRedisUrl(url);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid_guard_config');
    expect(result.error.message).toContain(why);
    for (const leak of [SECRET, ENCODED, 'cache']) expect(result.error.message).not.toContain(leak);
  });
});
