/** Choosing sessions: pure logic on listed sessions, tested directly. */
import type { ClientInfo } from '../../lib/dcs/models';
import { chooseSessions, compileSelection } from '../../lib/sessions/choose';
import type { KillMatchingSpec } from '../../lib/policy/schema';

let port = 40000;
const session = (fields: Partial<ClientInfo> & { ip?: string }): ClientInfo => {
  const { ip = '10.0.0.1', ...rest } = fields;
  port += 1;
  return { id: String(port), addr: ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`, name: '', cmd: 'get', age: 100, idle: 0, db: 0, flags: 'N', ...rest };
};
const spec = (over: Partial<KillMatchingSpec>): KillMatchingSpec => ({ kind: 'kill-matching', select: { idleSecondsAtLeast: 600 }, maxSessionsPerNode: 1000, whenNoneMatch: 'skip', ...over });
const choose = (clients: ClientInfo[], over: Partial<KillMatchingSpec>) => chooseSessions(clients, compileSelection(spec(over)));
const names = (choice: ReturnType<typeof choose>) => choice.chosen.map((c) => c.name);

describe('select: every given criterion must hold', () => {
  test('idle and age are thresholds (at least), numbers or numeric strings', () => {
    const clients = [
      session({ name: 'idle-old', idle: 700, age: 800 }),
      session({ name: 'idle-young', idle: '700', age: '30' }),
      session({ name: 'busy', idle: 3, age: 5000 }),
      session({ name: 'exactly', idle: 600, age: 60 }),
    ];
    expect(names(choose(clients, { select: { idleSecondsAtLeast: 600, ageSecondsAtLeast: 60 } }))).toEqual(['idle-old', 'exactly']);
  });

  test('a session missing a field a criterion needs is never chosen', () => {
    const clients = [session({ name: 'no-idle', idle: undefined }), session({ name: 'garbled', idle: 'abc' }), session({ name: 'negative', idle: -5 })];
    expect(choose(clients, {}).selected).toBe(0);
  });

  test('addresses: client IP in a CIDR or equal to an IP, IPv4 and IPv6', () => {
    const clients = [
      session({ name: 'in-8', ip: '10.9.9.9', idle: 1000 }),
      session({ name: 'exact', ip: '192.168.3.7', idle: 1000 }),
      session({ name: 'other', ip: '192.168.3.8', idle: 1000 }),
      session({ name: 'v6', ip: '2001:db8::5', idle: 1000 }),
      session({ name: 'mapped', ip: '::ffff:10.1.1.1', idle: 1000 }),
    ];
    const choice = choose(clients, { select: { addresses: ['10.0.0.0/8', '192.168.3.7', '2001:db8::/32'] } });
    expect(names(choice).sort()).toEqual(['exact', 'in-8', 'mapped', 'v6']);
  });

  test('names are case-sensitive globs; a session without a name has the name ""', () => {
    const clients = [session({ name: 'batch-1', idle: 1 }), session({ name: 'Batch-2', idle: 1 }), session({ name: undefined, idle: 1 }), session({ name: 'web', idle: 1 })];
    expect(names(choose(clients, { select: { names: ['batch-*'] } }))).toEqual(['batch-1']);
    expect(choose(clients, { select: { names: [''] as never } }).selected).toBe(1);
  });

  test('commands are case-insensitive', () => {
    const clients = [session({ name: 'a', cmd: 'blpop' }), session({ name: 'b', cmd: 'SUBSCRIBE' }), session({ name: 'c', cmd: 'get' }), session({ name: 'd', cmd: undefined })];
    expect(names(choose(clients, { select: { commands: ['BLPOP', 'subscribe'] } })).sort()).toEqual(['a', 'b']);
  });

  test('criteria combine with AND', () => {
    const clients = [session({ name: 'batch-1', idle: 900 }), session({ name: 'batch-2', idle: 10 }), session({ name: 'web', idle: 900 })];
    expect(names(choose(clients, { select: { idleSecondsAtLeast: 600, names: ['batch-*'] } }))).toEqual(['batch-1']);
  });
});

describe('protect', () => {
  test('protected sessions are never chosen and are counted', () => {
    const clients = [
      session({ name: 'leak', idle: 900 }),
      session({ name: 'sentinel-1', idle: 900 }),
      session({ name: 'app', ip: '10.0.5.9', idle: 900 }),
      session({ name: 'monitor', idle: 5 }),
    ];
    const choice = choose(clients, { protect: { names: ['sentinel*', 'monitor*'], addresses: ['10.0.5.0/24'] } });
    expect(names(choice)).toEqual(['leak']);
    // monitor did not match select (busy): not counted as protected.
    expect(choice).toMatchObject({ scanned: 4, selected: 1, protected: 2, capped: false });
  });

  test('replication links and sessions without an ip:port are always protected', () => {
    const clients = [session({ name: 'replica', flags: 'S', idle: 900 }), session({ name: 'master', flags: 'M', idle: 900 }), { addr: '/tmp/redis.sock:0', name: 'unix', idle: 900 }, session({ name: 'pubsub', flags: 'P', idle: 900 })];
    const choice = choose(clients, {});
    expect(names(choice)).toEqual(['pubsub']);
    expect(choice.protected).toBe(3);
  });
});

describe('the cap: the idlest first', () => {
  test('at most maxSessionsPerNode, idlest first, then oldest, then by address', () => {
    const clients = [
      session({ name: 'i700', idle: 700 }),
      session({ name: 'i5000', idle: 5000 }),
      session({ name: 'i900-young', idle: 900, age: 1000 }),
      session({ name: 'i900-old', idle: 900, age: 9000 }),
      session({ name: 'i650', idle: 650 }),
    ];
    const choice = choose(clients, { maxSessionsPerNode: 3 });
    expect(names(choice)).toEqual(['i5000', 'i900-old', 'i900-young']);
    expect(choice).toMatchObject({ selected: 5, capped: true });
    expect(choose(clients, { maxSessionsPerNode: 5 }).capped).toBe(false);
  });

  test('the same input gives the same choice in any order', () => {
    const clients = Array.from({ length: 200 }, (_, i) => session({ name: `c${i}`, idle: 600 + (i % 7), age: i % 3 }));
    const a = names(choose(clients, { maxSessionsPerNode: 50 }));
    const b = names(choose([...clients].reverse(), { maxSessionsPerNode: 50 }));
    expect(a).toEqual(b);
  });
});
