/** Shared test values for the DCS client tests. The secrets are fake but distinctive, so a leak is easy to find. */
import { DcsCredentials } from '../../../lib/dcs/credentials';
import type { DcsClientConfig } from '../../../lib/dcs/config';
import { createDcsClient, type DcsClientOptions } from '../../../lib/dcs/client';

export const AK = 'AKLEAKCANARY0000AK01';
export const SK = 'SKLEAKCANARY0000000000000000000000000SK01';
export const TOKEN = 'TOKENLEAKCANARY00000000000000000000000000000000TOKEN01';
export const SECRETS = [AK, SK, TOKEN];

export const PROJECT_ID = '0123456789abcdef0123456789abcdef';
export const INSTANCE_ID = '5e2b1c9a-7f3d-4d2e-9b8a-1c2d3e4f5a6b';
export const NODE_ID = '8abf6e1e824dfcb201824e02ee9a0001';
export const JOB_ID = '8abf6e1e824dfcb201824e02ee9a0015';

export function testConfig(endpoint: string, overrides: Partial<DcsClientConfig> = {}): DcsClientConfig {
  return {
    endpoint,
    projectId: PROJECT_ID,
    region: null,
    credentials: new DcsCredentials(AK, SK, TOKEN, 'HUAWEICLOUD_SDK'),
    timeoutMs: 2000,
    ...overrides,
  };
}

/** Retries without real waiting: tests assert what was sent, never how long it took. */
export const instantRetry: DcsClientOptions = {
  retryDeps: { sleep: async () => undefined, random: () => 0.5 },
};

export function testClient(endpoint: string, overrides: Partial<DcsClientConfig> = {}, options: DcsClientOptions = {}) {
  return createDcsClient(testConfig(endpoint, overrides), { ...instantRetry, ...options });
}
