/**
 * serverless.yml as the Serverless Framework v3 resolves it, offline, with no Huawei plugin
 * installed: what `npx serverless print` shows a user, and what a deploy would hand the plugin.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tableRows, REFERENCE } from '../contract/support';
import { printConfig, REPO_ROOT, runServerless, type ResolvedConfig, type Trigger } from './support';

jest.setTimeout(60_000);

/** The environment variables docs/reference.md documents. */
const documentedVariables = (): Set<string> =>
  new Set(tableRows(fs.readFileSync(REFERENCE, 'utf8'), '## Environment variables').flatMap((row) => [...row[0]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!)));
const SECRET_NAMES = ['HUAWEICLOUD_SDK_AK', 'HUAWEICLOUD_SDK_SK', 'HUAWEICLOUD_SDK_SECURITY_TOKEN', 'CLOUD_SDK_AK', 'CLOUD_SDK_SK'];
// Exported in the CLI's environment: the file must not pick them up.
const DECOY_SECRETS = { HUAWEICLOUD_SDK_AK: 'AKDECOY0000000000001', HUAWEICLOUD_SDK_SK: 'decoy-secret-key-must-not-appear', HUAWEICLOUD_SDK_SECURITY_TOKEN: 'decoy-token-must-not-appear' };

function trigger(config: ResolvedConfig, fn: string, type: string): Trigger {
  const found = config.functions[fn]?.events.filter((e) => e.triggerTypeCode === type) ?? [];
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe('serverless print, offline, plugin not installed', () => {
  let config: ResolvedConfig;
  let raw: string;

  beforeAll(async () => {
    const result = await runServerless(['print', '--format', 'json'], { env: DECOY_SECRETS });
    expect(result).toMatchObject({ code: 0 });
    raw = result.stdout;
    config = JSON.parse(raw) as ResolvedConfig;
  });

  it('targets the Huawei provider on Node.js 20.15 with the agency and a credentials file', () => {
    expect(config.frameworkVersion).toBe('3');
    expect(config.provider).toMatchObject({
      name: 'huawei',
      runtime: 'Node.js20.15',
      region: 'cn-north-4',
      credentials: '~/.fg/credentials',
      memorySize: 256,
    });
    expect(config.provider).toHaveProperty('agencyName');
    expect(config.provider.timeout).toBeGreaterThanOrEqual(40); // jobs.waitSeconds (30) + margin
  });

  it('deploys the two built functions, each from its dist folder', () => {
    expect(Object.keys(config.functions).sort()).toEqual(['alarm', 'cron']);
    for (const fn of ['alarm', 'cron']) {
      const f = config.functions[fn]!;
      expect(f.handler).toBe('index.handler');
      expect(f.code.codeUri).toBe(`./dist/${fn}`);
      expect(f.package.artifact).toBe(`dist/${fn}.zip`);
      // What the build writes (jest's global setup ran it): the handler file and the policy beside it.
      expect(fs.existsSync(path.join(REPO_ROOT, f.code.codeUri, 'index.js'))).toBe(true);
      expect(fs.existsSync(path.join(REPO_ROOT, f.code.codeUri, 'policy.yaml'))).toBe(true);
      expect(fs.existsSync(path.join(REPO_ROOT, f.package.artifact))).toBe(true);
    }
  });

  it('wires alarm to SMN (active) and to an HTTPS POST /cloudeye webhook (off by default)', () => {
    expect(trigger(config, 'alarm', 'SMN')).toEqual({ triggerTypeCode: 'SMN', status: 'ACTIVE', eventData: { topicUrn: '' } });
    const apig = trigger(config, 'alarm', 'APIG');
    expect(apig.status).toBe('DISABLED');
    expect(apig.eventData).toMatchObject({ protocol: 'HTTPS', reqMethod: 'POST', path: '/cloudeye', matchMode: 'NORMAL', auth: 'NONE' });
    expect(apig.eventData.timeout).toBeLessThanOrEqual(5000); // SMN waits 5 s
  });

  it('wires cron to a nightly TIMER whose user event names the schedule', () => {
    const timer = trigger(config, 'cron', 'TIMER');
    expect(timer.eventData).toMatchObject({ name: 'nightly', scheduleType: 'Cron', schedule: '0 0 3 * * ?' });
    expect(String(timer.eventData.schedule).split(' ')).toHaveLength(6); // FunctionGraph cron: with seconds
    expect(JSON.parse(String(timer.eventData.userEvent))).toEqual({ schedule: 'nightly' });
  });

  it('sets only documented environment variables (docs/reference.md), dry run on by default', () => {
    const variables = config.provider.environment.variables;
    const known = documentedVariables();
    expect(known.size).toBeGreaterThan(10); // the table was found and parsed
    expect(Object.keys(variables).filter((name) => !known.has(name))).toEqual([]);
    expect(variables).toMatchObject({ GUARD_DRY_RUN: 'true', DCS_REGION: config.provider.region });
    expect(Object.keys(variables)).toEqual(expect.arrayContaining(['HUAWEICLOUD_SDK_PROJECT_ID', 'GUARD_POLICY', 'GUARD_REDIS_URL', 'SMN_TOPIC_URNS']));
  });

  it('carries no credentials: no AK/SK variables, nothing from the deployer’s environment', () => {
    const variables = config.provider.environment.variables;
    expect(Object.keys(variables).filter((name) => SECRET_NAMES.includes(name))).toEqual([]);
    for (const value of Object.values(DECOY_SECRETS)) expect(raw).not.toContain(value);
    expect(raw).not.toMatch(/secret_access_key|access_key_id/i);
  });
});

describe('settings from params and environment', () => {
  it('takes --param values for the topic, the dry run switch and the triggers', async () => {
    const topic = 'urn:smn:cn-north-4:0123456789abcdef0123456789abcdef:dcs-alarms';
    const config = await printConfig({ params: { topicUrn: topic, dryRun: 'false', apigTrigger: 'ACTIVE', timerTrigger: 'ACTIVE' } });
    expect(trigger(config, 'alarm', 'SMN').eventData.topicUrn).toBe(topic);
    expect(config.provider.environment.variables).toMatchObject({ SMN_TOPIC_URNS: topic, GUARD_DRY_RUN: 'false' });
    expect(trigger(config, 'alarm', 'APIG').status).toBe('ACTIVE');
    expect(trigger(config, 'cron', 'TIMER').status).toBe('ACTIVE');
  });

  it('falls back to the environment variables of the same names', async () => {
    const config = await printConfig({
      env: { DCS_REGION: 'eu-west-101', HUAWEICLOUD_SDK_PROJECT_ID: 'p-123', FG_AGENCY: 'dcs-guard-agency', FG_VPC_ID: 'vpc-1', FG_SUBNET_ID: 'subnet-1' },
    });
    expect(config.provider).toMatchObject({ region: 'eu-west-101', agencyName: 'dcs-guard-agency', funcVpc: { vpcId: 'vpc-1', subnetId: 'subnet-1' } });
    expect(config.provider.environment.variables).toMatchObject({ DCS_REGION: 'eu-west-101', HUAWEICLOUD_SDK_PROJECT_ID: 'p-123' });
  });
});

/**
 * Deploy runs in a scratch copy of the project. Huawei's plugin cannot be installed here, so
 * a tiny provider plugin under the same package name records what the Framework hands it
 * at deploy:deploy: that exercises the real loading path (deploy/huawei-provider-plugin.js).
 */
describe('serverless deploy', () => {
  let dir: string;
  let record: string;
  const complete = {
    HUAWEICLOUD_SDK_PROJECT_ID: '0123456789abcdef0123456789abcdef',
    FG_AGENCY: 'dcs-session-guard',
    SMN_TOPIC_URN: 'urn:smn:cn-north-4:0123456789abcdef0123456789abcdef:dcs-alarms',
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sls-deploy-'));
    record = path.join(dir, 'deployed.json');
    fs.copyFileSync(path.join(REPO_ROOT, 'serverless.yml'), path.join(dir, 'serverless.yml'));
    fs.mkdirSync(path.join(dir, 'deploy'));
    fs.copyFileSync(path.join(REPO_ROOT, 'deploy', 'huawei-provider-plugin.js'), path.join(dir, 'deploy', 'huawei-provider-plugin.js'));
    fs.cpSync(path.join(REPO_ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true });
  });

  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function installRecordingPlugin(): void {
    const pkg = path.join(dir, 'node_modules', 'serverless-huawei-functions');
    fs.mkdirSync(pkg, { recursive: true });
    fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'serverless-huawei-functions', main: 'index.js' }));
    fs.writeFileSync(
      path.join(pkg, 'index.js'),
      `const fs = require('fs');
       module.exports = class RecordingProvider {
         constructor(serverless) {
           serverless.setProvider('huawei', this);
           this.hooks = { 'deploy:deploy': () => fs.writeFileSync(${JSON.stringify(record)},
             JSON.stringify({ provider: serverless.service.provider, functions: serverless.service.functions })) };
         }
       };`,
    );
  }

  it('without the plugin, stops with a message that says what to install', async () => {
    const result = await runServerless(['deploy'], { cwd: dir, env: complete });
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/needs the Huawei provider plugin[\s\S]*serverless-huawei-functions/);
  });

  it('with the plugin, hands it the built code, the triggers and the settings', async () => {
    installRecordingPlugin();
    const result = await runServerless(['deploy'], { cwd: dir, env: complete });
    expect(result).toMatchObject({ code: 0 });
    const deployed = JSON.parse(fs.readFileSync(record, 'utf8')) as Pick<ResolvedConfig, 'provider' | 'functions'>;
    expect(deployed.provider).toMatchObject({ name: 'huawei', agencyName: 'dcs-session-guard' });
    expect(deployed.provider.environment.variables).toMatchObject({
      HUAWEICLOUD_SDK_PROJECT_ID: complete.HUAWEICLOUD_SDK_PROJECT_ID,
      SMN_TOPIC_URNS: complete.SMN_TOPIC_URN,
      GUARD_DRY_RUN: 'true',
    });
    expect(deployed.functions.alarm?.code.codeUri).toBe('./dist/alarm');
    expect(deployed.functions.alarm?.events.find((e) => e.triggerTypeCode === 'SMN')?.eventData.topicUrn).toBe(complete.SMN_TOPIC_URN);
    // The Framework used the prebuilt zips instead of zipping the project itself.
    expect(fs.existsSync(path.join(dir, '.serverless', 'dcs-session-guard.zip'))).toBe(false);
  });

  it('with the plugin, refuses to deploy incomplete settings and names each one', async () => {
    installRecordingPlugin();
    const result = await runServerless(['deploy'], { cwd: dir, env: { FG_VPC_ID: 'vpc-only' } });
    expect(result.code).not.toBe(0);
    const output = result.stdout + result.stderr;
    expect(output).toContain('Not deploying');
    for (const setting of ['HUAWEICLOUD_SDK_PROJECT_ID', 'FG_AGENCY', 'SMN_TOPIC_URN', 'FG_SUBNET_ID']) expect(output).toContain(setting);
    expect(fs.existsSync(record)).toBe(false); // the plugin's deploy never ran
  });

  it('fails before deploying when the build has not run', async () => {
    installRecordingPlugin();
    fs.rmSync(path.join(dir, 'dist'), { recursive: true });
    const result = await runServerless(['deploy'], { cwd: dir, env: complete });
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toContain('dist/alarm.zip');
    expect(fs.existsSync(record)).toBe(false);
  });
});

describe('deploy settings check (deploy/huawei-provider-plugin.js)', () => {
  // Plain CommonJS, loaded as the Framework loads it.
  const { deploySettingProblems } = require(path.join(REPO_ROOT, 'deploy', 'huawei-provider-plugin.js')) as {
    deploySettingProblems: (service: unknown) => string[];
  };
  const topic = 'urn:smn:cn-north-4:0123456789abcdef0123456789abcdef:dcs-alarms';
  const webhook = (auth: string): Trigger => ({ triggerTypeCode: 'APIG', status: 'ACTIVE', eventData: { auth, path: '/cloudeye' } });
  const service = (variables: Record<string, string>, events: Trigger[]) => ({
    provider: { agencyName: 'a', funcVpc: { vpcId: '', subnetId: '' }, environment: { variables: { HUAWEICLOUD_SDK_PROJECT_ID: 'p', GUARD_DRY_RUN: 'true', ...variables } } },
    functions: { alarm: { events } },
  });

  it('accepts a complete webhook setup', () => {
    expect(deploySettingProblems(service({ SMN_TOPIC_URNS: topic }, [webhook('NONE')]))).toEqual([]);
  });

  it('refuses a webhook open to any topic', () => {
    expect(deploySettingProblems(service({ SMN_TOPIC_URNS: '' }, [webhook('NONE')]))).toEqual([expect.stringContaining('only listed topics')]);
  });

  it('refuses unsigned messages on an unauthenticated webhook, not behind gateway auth', () => {
    const unsigned = { SMN_TOPIC_URNS: topic, SMN_ALLOW_UNSIGNED: 'true' };
    expect(deploySettingProblems(service(unsigned, [webhook('NONE')]))).toEqual([expect.stringContaining('SMN_ALLOW_UNSIGNED')]);
    expect(deploySettingProblems(service(unsigned, [webhook('IAM')]))).toEqual([]);
  });

  it('refuses a dry run switch that is neither "true" nor "false"', () => {
    expect(deploySettingProblems(service({ GUARD_DRY_RUN: 'yes' }, []))).toEqual([expect.stringContaining('"yes"')]);
  });

  it('ignores disabled triggers', () => {
    expect(deploySettingProblems(service({}, [{ triggerTypeCode: 'SMN', status: 'DISABLED', eventData: { topicUrn: '' } }]))).toEqual([]);
  });
});
