/** Config resolution: credential precedence, one error naming every problem, endpoint rules, and redaction. */
import { inspect } from 'node:util';
import { resolveDcsConfig, validateEndpoint, DEFAULT_TIMEOUT_MS } from '../../lib/dcs/config';
import type { Context } from '../../lib/fg/types';
import { AK, PROJECT_ID, SK, TOKEN } from './support/fixtures';

const base = { HUAWEICLOUD_SDK_PROJECT_ID: PROJECT_ID, DCS_REGION: 'cn-north-4' };
const agency = (ak = 'CTXAK0000001', sk = 'CTXSK00000000001', token = 'CTXTOKEN000001'): Context => ({
  getSecurityAccessKey: () => ak,
  getSecuritySecretKey: () => sk,
  getSecurityToken: () => token,
});

function resolved(env: Record<string, string | undefined>, context?: Context) {
  const result = resolveDcsConfig(env, context);
  if (!result.ok) throw new Error(`unexpected config error: ${result.error.message}`);
  return result.value;
}

function problem(env: Record<string, string | undefined>, context?: Context) {
  const result = resolveDcsConfig(env, context);
  if (result.ok) throw new Error('expected a config error');
  return result.error;
}

describe('credentials precedence', () => {
  const env = { ...base, HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: SK, HUAWEICLOUD_SDK_SECURITY_TOKEN: TOKEN, CLOUD_SDK_AK: 'CLOUDAK00001', CLOUD_SDK_SK: 'CLOUDSK00001' };

  test('the context agency wins', () => {
    const c = resolved(env, agency()).credentials;
    expect([c.source, c.accessKey(), c.secretKey(), c.securityToken()]).toEqual(['context', 'CTXAK0000001', 'CTXSK00000000001', 'CTXTOKEN000001']);
  });

  test('then HUAWEICLOUD_SDK_*', () => {
    const c = resolved(env, {}).credentials;
    expect([c.source, c.accessKey(), c.secretKey(), c.securityToken()]).toEqual(['HUAWEICLOUD_SDK', AK, SK, TOKEN]);
  });

  test('an agency without keys (empty strings) falls through to the environment', () => {
    expect(resolved(env, agency('', '', '')).credentials.source).toBe('HUAWEICLOUD_SDK');
  });

  test('a context method that throws does not crash resolution', () => {
    const broken: Context = { getSecurityAccessKey: () => { throw new Error('no'); }, getSecuritySecretKey: () => 'x' };
    expect(resolved(env, broken).credentials.source).toBe('HUAWEICLOUD_SDK');
  });

  test('then CLOUD_SDK_*', () => {
    const c = resolved({ ...base, CLOUD_SDK_AK: 'CLOUDAK00001', CLOUD_SDK_SK: 'CLOUDSK00001' }).credentials;
    expect([c.source, c.accessKey(), c.securityToken()]).toEqual(['CLOUD_SDK', 'CLOUDAK00001', null]);
  });

  test('half a pair is reported, not skipped', () => {
    const error = problem({ ...base, HUAWEICLOUD_SDK_AK: AK, CLOUD_SDK_AK: 'a', CLOUD_SDK_SK: 'b' });
    expect(error.message).toContain('HUAWEICLOUD_SDK_SK');
  });
});

describe('endpoint and settings', () => {
  const creds = { HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: SK };

  test('region → https://dcs.<region>.myhuaweicloud.com, default timeout', () => {
    const c = resolved({ ...base, ...creds });
    expect([c.endpoint, c.region, c.projectId, c.timeoutMs]).toEqual(['https://dcs.cn-north-4.myhuaweicloud.com', 'cn-north-4', PROJECT_ID, DEFAULT_TIMEOUT_MS]);
  });

  test('DCS_ENDPOINT wins and is normalised to an origin', () => {
    const c = resolved({ ...base, ...creds, DCS_ENDPOINT: 'http://127.0.0.1:8080/', DCS_TIMEOUT_MS: '1500' });
    expect([c.endpoint, c.timeoutMs]).toEqual(['http://127.0.0.1:8080', 1500]);
  });

  test.each([
    ['DCS_ENDPOINT', 'http://dcs.example.com', 'https'],
    ['DCS_ENDPOINT', 'https://dcs.example.com/v2', 'origin only'],
    ['DCS_ENDPOINT', 'https://user:pw@dcs.example.com', 'user info'],
    ['DCS_ENDPOINT', 'ftp://127.0.0.1', 'https'],
    ['DCS_ENDPOINT', 'not a url', 'not a URL'],
    ['DCS_REGION', 'cn-north-4.evil.com/x', 'region'],
    ['DCS_TIMEOUT_MS', '0', 'DCS_TIMEOUT_MS'],
    ['DCS_TIMEOUT_MS', 'soon', 'DCS_TIMEOUT_MS'],
    ['HUAWEICLOUD_SDK_PROJECT_ID', 'my-project', 'HUAWEICLOUD_SDK_PROJECT_ID'],
  ])('%s=%j is refused', (variable, value, mention) => {
    const error = problem({ ...base, ...creds, [variable]: value });
    expect([error.kind, error.code]).toEqual(['config', 'config_invalid']);
    expect(error.message).toContain(mention);
  });

  test('everything missing: one error naming every missing setting', () => {
    const error = problem({});
    expect([error.kind, error.code]).toEqual(['config', 'config_missing']);
    for (const name of ['HUAWEICLOUD_SDK_PROJECT_ID', 'DCS_REGION or DCS_ENDPOINT', 'HUAWEICLOUD_SDK_AK', 'CLOUD_SDK_AK', 'agency']) {
      expect(error.message).toContain(name);
    }
  });

  test('error messages never echo values', () => {
    const error = problem({ HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_PROJECT_ID: 'SECRETISH-PROJECT', DCS_ENDPOINT: 'http://leaky.example.com' });
    for (const value of [AK, 'SECRETISH-PROJECT', 'leaky.example.com']) expect(error.message).not.toContain(value);
  });
});

describe('the resolved config does not print its secrets', () => {
  const config = resolved({ ...base, HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: SK, HUAWEICLOUD_SDK_SECURITY_TOKEN: TOKEN });

  test.each([
    ['JSON.stringify', () => JSON.stringify(config)],
    ['util.inspect', () => inspect(config, { depth: 10, showHidden: true })],
    ['template string', () => `${String(config.credentials)}`],
    ['spread', () => JSON.stringify({ ...config.credentials })],
    ['Object.entries', () => inspect(Object.entries(config.credentials))],
  ])('%s', (_name, render) => {
    const text = render();
    for (const secret of [AK, SK, TOKEN]) expect(text).not.toContain(secret);
    expect(text.length).toBeGreaterThan(0);
  });

  test('the values remain usable for signing', () => {
    expect(config.credentials.secretValues()).toEqual([AK, SK, TOKEN]);
  });
});

describe('plain http only on loopback addresses', () => {
  test.each(['http://127.0.0.1:8080', 'http://127.5.6.7', 'http://localhost:1', 'http://[::1]:9'])('%s is accepted', (endpoint) => {
    expect(validateEndpoint(endpoint).ok).toBe(true);
  });
  test.each(['http://127.attacker.example', 'http://127.0.0.1.nip.io', 'http://127.evil:8080'])('%s (a name that only looks like loopback) is refused', (endpoint) => {
    expect(validateEndpoint(endpoint)).toEqual({ ok: false, error: expect.stringMatching(/https/) });
  });
});
