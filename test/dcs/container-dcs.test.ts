/**
 * The warm container's DCS client (lib/runtime/container.ts dcs(), lib/dcs/config.ts
 * DcsConfigCache): the config is resolved again only when one of its inputs changed, and
 * rotated agency keys always get a client that signs with them, against the emulator's
 * real signature check.
 */
import { startEmulator, type Emulator } from '../../dev/emulator/server';
import { DcsConfigCache } from '../../lib/dcs/config';
import { DcsError } from '../../lib/dcs/errors';
import type { Context } from '../../lib/fg/types';
import { Container } from '../../lib/runtime/container';

// From dev/emulator/seeds/demo.json.
const PROJECT = '0b8f4a2e5c6d47e1a9b3c8d7e6f5a4b3';
const AK = 'DEMOACCESSKEYID00001';
const SK = 'DEMO-SECRET-KEY-not-a-real-secret-00001';
const INSTANCE = '5e2b1c9a-7f3d-4d2e-9b8a-1c2d3e4f5a6b';

const agency = (sk: string, ak = AK, token = 'TOKEN-00000001'): Context => ({
  getSecurityAccessKey: () => ak,
  getSecuritySecretKey: () => sk,
  getSecurityToken: () => token,
});

describe('DcsConfigCache', () => {
  const env = { HUAWEICLOUD_SDK_PROJECT_ID: PROJECT, DCS_REGION: 'cn-north-4', HUAWEICLOUD_SDK_AK: 'ENVAK0000001', HUAWEICLOUD_SDK_SK: 'ENVSK0000001' };

  test('the same inputs give the config already resolved', () => {
    const cache = new DcsConfigCache();
    const first = cache.resolve({ ...env }, agency(SK));
    expect(first.ok).toBe(true);
    expect(cache.resolve({ ...env }, agency(SK))).toBe(first);
  });

  test.each([
    ['DCS_REGION', 'cn-south-1'],
    ['DCS_ENDPOINT', 'https://dcs.example.com'],
    ['HUAWEICLOUD_SDK_PROJECT_ID', 'ffffffffffffffffffffffffffffffff'],
    ['DCS_TIMEOUT_MS', '700'],
    ['HUAWEICLOUD_SDK_AK', 'ENVAK0000002'],
    ['HUAWEICLOUD_SDK_SK', 'ENVSK0000002'],
    ['HUAWEICLOUD_SDK_SECURITY_TOKEN', 'ENVTOKEN0002'],
    ['CLOUD_SDK_AK', 'CLOUDAK00001'],
    ['CLOUD_SDK_SK', 'CLOUDSK00001'],
  ])('a change of %s resolves again', (name, value) => {
    const cache = new DcsConfigCache();
    const first = cache.resolve({ ...env });
    const changed = cache.resolve({ ...env, [name]: value });
    expect(changed).not.toBe(first);
    expect(changed).toEqual(new DcsConfigCache().resolve({ ...env, [name]: value }));
  });

  test.each([
    ['access key', agency(SK, 'DEMOACCESSKEYID00002')],
    ['secret key', agency('ROTATED-SECRET-KEY-0002')],
    ['security token', agency(SK, AK, 'TOKEN-00000002')],
  ])('rotated agency keys (%s) resolve again, to the new keys', (_what, rotated) => {
    const cache = new DcsConfigCache();
    const first = cache.resolve(env, agency(SK));
    const next = cache.resolve(env, rotated);
    expect(next).not.toBe(first);
    if (!next.ok) throw new Error(next.error.message);
    expect([next.value.credentials.accessKey(), next.value.credentials.secretKey(), next.value.credentials.securityToken()]).toEqual([
      rotated.getSecurityAccessKey!(),
      rotated.getSecuritySecretKey!(),
      rotated.getSecurityToken!(),
    ]);
  });

  test('an error is kept while its inputs stay, and goes when they are fixed', () => {
    const cache = new DcsConfigCache();
    const broken = { ...env, DCS_ENDPOINT: 'http://dcs.example.com' };
    const error = cache.resolve(broken);
    expect(error.ok).toBe(false);
    expect(cache.resolve({ ...broken })).toBe(error);
    expect(cache.resolve(env).ok).toBe(true);
  });
});

describe('Container.dcs: a warm container against the emulator', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
  });
  afterAll(async () => emulator.close());

  const show = async (container: Container, context: Context) => {
    const dcs = container.dcs(context);
    if (!dcs.ok) throw new Error(dcs.error.message);
    return { client: dcs.value, call: dcs.value.showInstance({ instanceId: INSTANCE }).then(() => 'ok', (e: unknown) => (e instanceof DcsError ? e.kind : 'other')) };
  };

  test('the same keys reuse the client; rotated keys sign with the new keys at once', async () => {
    const container = new Container({ HUAWEICLOUD_SDK_PROJECT_ID: PROJECT, DCS_ENDPOINT: emulator.url }, __dirname);
    const first = await show(container, agency(SK));
    expect(await first.call).toBe('ok');
    const again = await show(container, agency(SK));
    expect(again.client).toBe(first.client);
    expect(await again.call).toBe('ok');

    // The emulator knows only the demo key: a rotated secret must reach the wire, and be refused.
    const rotated = await show(container, agency('ROTATED-SECRET-KEY-0002'));
    expect(rotated.client).not.toBe(first.client);
    expect(await rotated.call).toBe('unauthorized');
    const back = await show(container, agency(SK));
    expect(await back.call).toBe('ok');
  });

  test('a setting changed in a warm container is seen by the next call', async () => {
    const env: Record<string, string | undefined> = { HUAWEICLOUD_SDK_PROJECT_ID: PROJECT, DCS_ENDPOINT: emulator.url };
    const container = new Container(env, __dirname);
    expect(container.dcs(agency(SK)).ok).toBe(true);
    env.DCS_ENDPOINT = 'http://dcs.example.com';
    const broken = container.dcs(agency(SK));
    expect(broken.ok ? null : broken.error.code).toBe('config_invalid');
    env.DCS_ENDPOINT = emulator.url;
    expect(container.dcs(agency(SK)).ok).toBe(true);
  });
});
