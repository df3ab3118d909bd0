/**
 * Run in a child process (bundled and minified by esbuild, like the shipped
 * functions) by secrets.test.ts: drives the DCS client into every failure it
 * knows, printing each DcsError every way a careless caller might, plus the
 * config and client objects. The parent captures stdout/stderr and looks for
 * the credentials, which come from the environment (HUAWEICLOUD_SDK_*) or,
 * with PROBE_USE_CONTEXT=1, from a FunctionGraph-style context.
 */
import { inspect } from 'node:util';
import { createDcsClient, DcsError, resolveDcsConfig, type DcsClient } from '../../../lib/dcs';
import type { Context } from '../../../lib/fg/types';
import { closedPort, startCannedServer, type Reply } from './canned-server';

const INSTANCE = '5e2b1c9a-7f3d-4d2e-9b8a-1c2d3e4f5a6b';
const NODE = '8abf6e1e824dfcb201824e02ee9a0001';
const JOB = '8abf6e1e824dfcb201824e02ee9a0015';

const SCENARIOS: Record<string, Reply> = {
  unauthorized401: { status: 401, json: { error_code: 'APIGW.0301', error_msg: 'Incorrect IAM authentication information' } },
  forbidden403: { status: 403, json: { error_code: 'DCS.4403', error_msg: 'forbidden' } },
  notFound404: { status: 404, json: { error_code: 'DCS.4404', error_msg: 'not found' } },
  notAllowed400: { status: 400, json: { error_code: 'DCS.4957', error_msg: 'This operation is not allowed when the task is in the current state.' } },
  throttled429: { status: 429, json: { error_code: 'APIGW.0308', error_msg: 'throttled' } },
  server500: { status: 500, json: { error_code: 'DCS.5000', error_msg: 'internal' } },
  redirect302: { status: 302, headers: { location: '/elsewhere' } },
  reset: { reset: true },
  hangUp: { hangUp: true },
  hang: { hang: true },
  malformed: { status: 200, text: '<html/>' },
};

function context(): Context | undefined {
  if (process.env.PROBE_USE_CONTEXT !== '1') return undefined;
  const { PROBE_AK, PROBE_SK, PROBE_TOKEN } = process.env;
  return { getSecurityAccessKey: () => PROBE_AK ?? '', getSecuritySecretKey: () => PROBE_SK ?? '', getSecurityToken: () => PROBE_TOKEN ?? '' };
}

function clientFor(endpoint: string): DcsClient {
  const config = resolveDcsConfig({ ...process.env, DCS_ENDPOINT: endpoint, DCS_TIMEOUT_MS: '300' }, context());
  if (!config.ok) throw config.error;
  return createDcsClient(config.value, { readRetry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 }, killAllRetry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 } });
}

/** Every way a caller might print an error. */
function show(scenario: string, error: unknown): void {
  const kind = error instanceof DcsError ? error.kind : 'NOT_A_DCS_ERROR';
  console.log(JSON.stringify({ scenario, kind, info: error instanceof DcsError ? error.toInfo() : null, error }));
  console.error(error);
  console.error(String(error), (error as Error).stack);
  console.log(inspect(error, { depth: 10, showHidden: true }));
}

async function attempt(scenario: string, call: () => Promise<unknown>): Promise<void> {
  try {
    const result = await call();
    console.log(JSON.stringify({ scenario, kind: 'ok', result }));
  } catch (error) {
    show(scenario, error);
  }
}

async function main(): Promise<void> {
  for (const [scenario, reply] of Object.entries(SCENARIOS)) {
    const server = await startCannedServer(() => reply);
    const client = clientFor(server.url);
    await attempt(`${scenario}:kill`, () => client.hangUpKillAllClients({ instanceId: INSTANCE, body: { node_id: NODE } }));
    await attempt(`${scenario}:read`, () => client.showJobInfo({ jobId: JOB }));
    await server.close();
  }
  const refused = clientFor(`http://127.0.0.1:${await closedPort()}`);
  await attempt('refused:kill', () => refused.hangUpKillAllClients({ instanceId: INSTANCE, body: { kill_all_nodes: true } }));
  await attempt('badId:kill', () => refused.hangUpKillAllClients({ instanceId: '../x', body: { kill_all_nodes: true } }));

  const ok = await startCannedServer(() => ({ status: 200, json: { job_id: JOB } }));
  const client = clientFor(ok.url);
  await attempt('success:kill', () => client.hangUpKillAllClients({ instanceId: INSTANCE, body: { node_id: NODE } }));
  console.log(client, JSON.stringify(client));
  const config = resolveDcsConfig({ ...process.env, DCS_ENDPOINT: ok.url }, context());
  console.log(config, JSON.stringify(config));
  console.error(inspect(config, { depth: 10, showHidden: true }));
  await ok.close();

  const missing = resolveDcsConfig({ HUAWEICLOUD_SDK_AK: process.env.HUAWEICLOUD_SDK_AK }, undefined);
  if (!missing.ok) show('config:missing', missing.error);
  console.log('PROBE DONE');
}

main().catch((error: unknown) => {
  console.log('PROBE CRASHED', error);
  process.exitCode = 1;
});
