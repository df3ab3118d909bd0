/** Which DCS API the runner uses, and the environment its functions get. */
import { chooseTarget, DEMO, functionEnv } from '../../dev/runner/target';

const cloudCreds = { HUAWEICLOUD_SDK_AK: 'AKUSER', HUAWEICLOUD_SDK_SK: 'sk-user-secret', HUAWEICLOUD_SDK_PROJECT_ID: 'p1' };

describe('runner target', () => {
  it('is the embedded emulator unless DCS_REGION or DCS_ENDPOINT is set', () => {
    expect(chooseTarget({ ...cloudCreds, DCS_REGION: '  ' }, false)).toEqual({ ok: true, value: { kind: 'emulator' } });
  });

  it('is the regional endpoint with credentials, DCS_ENDPOINT winning', () => {
    expect(chooseTarget({ ...cloudCreds, DCS_REGION: 'cn-north-4' }, false)).toEqual({
      ok: true,
      value: { kind: 'cloud', endpoint: 'https://dcs.cn-north-4.myhuaweicloud.com', projectId: 'p1', live: false },
    });
    const both = chooseTarget({ ...cloudCreds, DCS_REGION: 'cn-north-4', DCS_ENDPOINT: 'http://127.0.0.1:9' }, true);
    expect(both.ok && both.value).toMatchObject({ endpoint: 'http://127.0.0.1:9', live: true });
    const cloudSdk = chooseTarget({ CLOUD_SDK_AK: 'a', CLOUD_SDK_SK: 'b', HUAWEICLOUD_SDK_PROJECT_ID: 'p', DCS_REGION: 'r' }, false);
    expect(cloudSdk.ok).toBe(true);
  });

  it('names everything missing, never guessing', () => {
    const r = chooseTarget({ DCS_ENDPOINT: 'http://127.0.0.1:9', HUAWEICLOUD_SDK_AK: 'a' }, false);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.message).toContain('DCS_ENDPOINT is set');
      expect(r.error.message).toContain('HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK');
      expect(r.error.message).toContain('HUAWEICLOUD_SDK_PROJECT_ID');
    }
  });

  it('emulator: the demo settings only; nothing of the user cloud setup leaks into the demo', () => {
    const env = functionEnv({ kind: 'emulator' }, { ...cloudCreds, PATH: '/bin', GUARD_REDIS_URL: 'redis://prod', GUARD_DRY_RUN: 'true' }, { emulatorUrl: 'http://127.0.0.1:1', policyPath: '/demo.yaml' });
    expect(env).toEqual({
      PATH: '/bin',
      HUAWEICLOUD_SDK_AK: DEMO.ak,
      HUAWEICLOUD_SDK_SK: DEMO.sk,
      HUAWEICLOUD_SDK_PROJECT_ID: DEMO.projectId,
      DCS_ENDPOINT: 'http://127.0.0.1:1',
      GUARD_POLICY: '/demo.yaml',
      SMN_ALLOW_UNSIGNED: 'true',
      SMN_MAX_AGE_SECONDS: '0',
    });
  });

  it('cloud: the user environment, GUARD_DRY_RUN=true forced unless live', () => {
    const user = { ...cloudCreds, DCS_REGION: 'cn-north-4', GUARD_DRY_RUN: 'false' };
    const dry = functionEnv({ kind: 'cloud', endpoint: 'e', projectId: 'p1', live: false }, user, { emulatorUrl: null, policyPath: null });
    expect(dry).toMatchObject({ ...cloudCreds, GUARD_DRY_RUN: 'true', SMN_ALLOW_UNSIGNED: 'true' });
    expect(dry.GUARD_POLICY).toBeUndefined();
    const live = functionEnv({ kind: 'cloud', endpoint: 'e', projectId: 'p1', live: true }, user, { emulatorUrl: null, policyPath: '/p.yaml' });
    expect(live).toMatchObject({ GUARD_DRY_RUN: 'false', GUARD_POLICY: '/p.yaml' });
  });
});
