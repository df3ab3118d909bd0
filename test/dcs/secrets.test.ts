/**
 * Secrets never reach stdout/stderr, error messages or toInfo(), whatever goes
 * wrong, even with DEBUG=DEBUG (which makes sdk-core dump every request,
 * headers included). The probe runs in a child process as a minified bundle,
 * so this is the real output of the shipped shape of the code.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { bundleProbe, REPO, runScript, scratchDirs, type ProbeDirs } from './support/probe';
import { AK, PROJECT_ID, SECRETS, SK, TOKEN } from './support/fixtures';

let dirs: ProbeDirs;
let probe: string;

beforeAll(async () => {
  dirs = scratchDirs();
  probe = await bundleProbe('test/dcs/support/leak-probe.ts', path.join(dirs.root, 'leak-probe.js'));
});

const ENV_CREDS = { HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: SK, HUAWEICLOUD_SDK_SECURITY_TOKEN: TOKEN };
const CONTEXT_CREDS = { PROBE_USE_CONTEXT: '1', PROBE_AK: AK, PROBE_SK: SK, PROBE_TOKEN: TOKEN };

interface ScenarioLine {
  scenario: string;
  kind: string;
  info: { code: string; message: string } | null;
}

function scenarioLines(stdout: string): Map<string, ScenarioLine> {
  const lines = stdout.split('\n').filter((l) => l.startsWith('{"scenario"'));
  return new Map(lines.map((l) => JSON.parse(l) as ScenarioLine).map((l) => [l.scenario, l]));
}

const EXPECTED_KINDS: Record<string, string> = {
  'unauthorized401:kill': 'unauthorized',
  'forbidden403:read': 'unauthorized',
  'notFound404:read': 'rejected',
  'notAllowed400:kill': 'rejected',
  'throttled429:kill': 'throttled',
  'server500:kill': 'server',
  'server500:read': 'server',
  'redirect302:kill': 'rejected',
  'reset:kill': 'outcome_unknown',
  'hangUp:kill': 'outcome_unknown',
  'hang:kill': 'outcome_unknown',
  'hang:read': 'outcome_unknown',
  'malformed:kill': 'outcome_unknown',
  'refused:kill': 'not_sent',
  'badId:kill': 'invalid_request',
  'success:kill': 'ok',
  'config:missing': 'config',
};

describe.each([
  ['env credentials, DEBUG=DEBUG', { ...ENV_CREDS, DEBUG: 'DEBUG' }],
  ['env credentials, no DEBUG', ENV_CREDS],
  ['context agency credentials, DEBUG=DEBUG', { ...CONTEXT_CREDS, HUAWEICLOUD_SDK_AK: AK, DEBUG: 'DEBUG' }],
])('%s', (_name, credentialEnv) => {
  let out: { stdout: string; stderr: string; exitCode: number | null };

  beforeAll(async () => {
    out = await runScript(probe, { ...credentialEnv, HUAWEICLOUD_SDK_PROJECT_ID: PROJECT_ID, HOME: dirs.home }, dirs.cwd);
  });

  test('the probe ran every failure to the end', () => {
    expect(out.stdout).toContain('PROBE DONE');
    expect(out.exitCode).toBe(0);
    const lines = scenarioLines(out.stdout);
    for (const [scenario, kind] of Object.entries(EXPECTED_KINDS)) expect([scenario, lines.get(scenario)?.kind]).toEqual([scenario, kind]);
  });

  test('no AK, SK or token in stdout or stderr', () => {
    const output = out.stdout + out.stderr;
    for (const secret of SECRETS) expect(output.includes(secret) ? `leaked ${secret.slice(0, 6)}…` : 'clean').toBe('clean');
  });

  test('no AK, SK or token in any DcsError message or toInfo()', () => {
    const infos = [...scenarioLines(out.stdout).values()].filter((l) => l.info !== null && l.info !== undefined);
    expect(infos.length).toBeGreaterThan(10);
    for (const line of infos) {
      const text = JSON.stringify(line);
      for (const secret of SECRETS) expect(text.includes(secret)).toBe(false);
    }
  });

  test('nothing of sdk-core on the output: no log4js lines, no request dumps', () => {
    expect(out.stdout + out.stderr).not.toMatch(/nodesdk:|\[(DEBUG|ERROR|INFO)\] default|Authorization|X-Security-Token/i);
  });

  test('no file written: no ~/.huaweicloud/application_id, no SDK access log in the working directory', () => {
    expect(existsSync(path.join(dirs.home, '.huaweicloud'))).toBe(false);
    expect(readdirSync(dirs.cwd)).toEqual([]);
  });
});

test('control: the capture does catch a leak (raw sdk-core with DEBUG=DEBUG prints the AK and token)', async () => {
  const raw = path.join(dirs.root, 'raw-core.js');
  const core = path.join(REPO, 'node_modules', '@huaweicloud', 'huaweicloud-sdk-core');
  writeFileSync(
    raw,
    `const { ClientBuilder } = require(${JSON.stringify(`${core}/ClientBuilder`)});
     const { BasicCredentials } = require(${JSON.stringify(`${core}/auth/BasicCredentials`)});
     const cred = new BasicCredentials().withAk(process.env.AK).withSk(process.env.SK).withSecurityToken(process.env.TOKEN).withProjectId(${JSON.stringify(PROJECT_ID)});
     const hc = new ClientBuilder((h) => h).withCredential(cred).withEndpoint('http://127.0.0.1:1').withOptions({ customUserAgent: 'x', axiosRequestConfig: { timeout: 500 } }).build();
     hc.sendRequest({ method: 'GET', url: '/v2/{project_id}/jobs/x', contentType: 'application/json', pathParams: {}, queryParams: {}, headers: {} }).catch(() => {});`,
  );
  const out = await runScript(raw, { AK, SK, TOKEN, DEBUG: 'DEBUG', HOME: dirs.home }, dirs.cwd);
  expect(out.stdout + out.stderr).toContain(AK);
  expect(out.stdout + out.stderr).toContain(TOKEN);
});
