/** Choosing and configuring the store: createGuardStore, the env reader, one store per warm container. */
import {
  createGuardStore,
  DEFAULT_KEY_PREFIX,
  describeGuardStore,
  GuardError,
  guardStoreOptionsFromEnv,
  HASH_TAG,
  RedisGuardStore,
  sharedGuardStore,
} from '../../lib/guard';
import { targetOf } from './sequences';

describe('createGuardStore', () => {
  it('without a URL: the memory store', () => {
    expect(createGuardStore({}).kind).toBe('memory');
    expect(createGuardStore({ redisUrl: null }).kind).toBe('memory');
    expect(createGuardStore({ redisUrl: '' }).kind).toBe('memory');
  });

  it('with a URL: the Redis store, keys under the prefix and one hash tag; nothing connects yet', async () => {
    const store = createGuardStore({ redisUrl: 'redis://127.0.0.1:1' });
    expect(store).toBeInstanceOf(RedisGuardStore);
    const keys = (store as RedisGuardStore).keysOf(targetOf('A/n1'), 'msg-1');
    expect(keys.every((k) => k.startsWith(`${DEFAULT_KEY_PREFIX}${HASH_TAG}:`))).toBe(true);
    await store.close();
  });

  it('the prefix: the option, else ?prefix= in the URL, else the default', async () => {
    const prefixOf = (store: ReturnType<typeof createGuardStore>) => (store as RedisGuardStore).keysOf(targetOf('A/*'), null)[1];
    expect(prefixOf(createGuardStore({ redisUrl: 'redis://h?prefix=url:', keyPrefix: 'opt:' }))).toMatch(/^opt:\{guard\}:/);
    expect(prefixOf(createGuardStore({ redisUrl: 'redis://h?prefix=url:' }))).toMatch(/^url:\{guard\}:/);
    expect(prefixOf(createGuardStore({ redisUrl: 'redis://h' }))).toMatch(/^dcs-guard:\{guard\}:/);
  });

  it.each([
    ['a prefix with a brace (it would move keys to another hash slot)', { redisUrl: 'redis://h', keyPrefix: 'a{b}:' }],
    ['a bad URL', { redisUrl: 'mysql://h' }],
    ['a zero timeout', { redisUrl: 'redis://h', timeoutMs: 0 }],
    ['a timeout that is not a number', { timeoutMs: Number('soon') }],
  ])('refuses %s with GuardError invalid_guard_config', (_what, opts) => {
    expect(() => createGuardStore(opts)).toThrow(GuardError);
    try {
      createGuardStore(opts);
    } catch (e) {
      expect((e as GuardError).code).toBe('invalid_guard_config');
    }
  });
});

describe('describeGuardStore (for doctor and logs)', () => {
  it('names the mode, the masked address, the prefix and the deadline, without connecting', () => {
    expect(describeGuardStore({})).toEqual({ mode: 'memory', address: null, keyPrefix: null, timeoutMs: 500 });
    expect(describeGuardStore({ redisUrl: 'redis://:s3cret@10.0.0.5:6379', timeoutMs: 250 })).toEqual({
      mode: 'redis',
      address: 'redis://:***@10.0.0.5:6379',
      keyPrefix: 'dcs-guard:',
      timeoutMs: 250,
    });
    expect(describeGuardStore({ redisUrl: 'redis+cluster://:s3cret@10.0.0.5:6379?prefix=prod:' })).toMatchObject({
      mode: 'redis-cluster',
      address: 'redis+cluster://:***@10.0.0.5:6379?prefix=prod:',
      keyPrefix: 'prod:',
    });
  });

  it('refuses what createGuardStore refuses, with the same error', () => {
    expect(() => describeGuardStore({ redisUrl: 'redis+cluster://h/3' })).toThrow(GuardError);
    expect(() => describeGuardStore({ redisUrl: 'redis://h', keyPrefix: '{x}' })).toThrow(/braces/);
  });
});

describe('guardStoreOptionsFromEnv', () => {
  it('reads GUARD_REDIS_URL, _PREFIX, _TIMEOUT_MS and _TLS_CA', () => {
    expect(
      guardStoreOptionsFromEnv({
        GUARD_REDIS_URL: ' rediss://:pw@h:6380 ',
        GUARD_REDIS_PREFIX: 'x:',
        GUARD_REDIS_TIMEOUT_MS: '250',
        GUARD_REDIS_TLS_CA: 'PEM',
      }),
    ).toEqual({ redisUrl: 'rediss://:pw@h:6380', keyPrefix: 'x:', timeoutMs: 250, tlsCa: 'PEM' });
  });

  it('unset or blank: memory, and no prefix so the URL or the default decides', () => {
    expect(guardStoreOptionsFromEnv({})).toEqual({ redisUrl: null });
    expect(guardStoreOptionsFromEnv({ GUARD_REDIS_URL: '  ' })).toEqual({ redisUrl: null });
  });
});

describe('sharedGuardStore', () => {
  it('returns one store per configuration for the life of the process', () => {
    const a = sharedGuardStore({});
    expect(sharedGuardStore({})).toBe(a);
    const b = sharedGuardStore({ redisUrl: 'redis://127.0.0.1:1', keyPrefix: 'shared-test:' });
    expect(b).not.toBe(a);
    expect(sharedGuardStore({ redisUrl: 'redis://127.0.0.1:1', keyPrefix: 'shared-test:' })).toBe(b);
  });
});

describe('the store timeout is bounded (a timer past its range fires at once: every check would "time out")', () => {
  test.each(['3e9', '3000000000', '-5', 'abc', '1.5', '0'])('GUARD_REDIS_TIMEOUT_MS=%s is a configuration error', (raw) => {
    const options = guardStoreOptionsFromEnv({ GUARD_REDIS_URL: 'redis://127.0.0.1:1', GUARD_REDIS_TIMEOUT_MS: raw });
    expect(() => createGuardStore(options)).toThrow(expect.objectContaining({ code: 'invalid_guard_config', message: expect.stringMatching(/GUARD_REDIS_TIMEOUT_MS/) }));
  });
  test('a bounded value is taken', () => {
    expect(guardStoreOptionsFromEnv({ GUARD_REDIS_TIMEOUT_MS: ' 750 ' }).timeoutMs).toBe(750);
  });
});
