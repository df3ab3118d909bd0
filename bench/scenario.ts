/**
 * What the bench feeds the function: the emulator's demo project and credentials,
 * the repository's sample alarm (dev/runner/samples), and the policies it runs under.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify as yamlText } from 'yaml';
import demoSeed from '../dev/emulator/seeds/demo.json';
import { createDcsClient, type DcsClient } from '../lib/dcs/client';
import { DcsCredentials } from '../lib/dcs/credentials';
import nodeAlarmSample from '../dev/runner/samples/node-alarm.smn-trigger.json';

const project = demoSeed.projects[0]!;
const credential = project.credentials[0]!;

/**
 * The function's environment against the emulator at `endpoint` (plus PATH/HOME, nothing of the caller's).
 * `policy`: the path of a policy file (packagedPolicy), or a policy object given inline as JSON in GUARD_POLICY.
 */
export function functionEnv(endpoint: string, policy: string | object, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: require('node:os').tmpdir(),
    HUAWEICLOUD_SDK_AK: credential.ak,
    HUAWEICLOUD_SDK_SK: credential.sk,
    HUAWEICLOUD_SDK_PROJECT_ID: project.project_id,
    DCS_ENDPOINT: endpoint,
    GUARD_POLICY: typeof policy === 'string' ? policy : JSON.stringify(policy),
    ...extra,
  };
}

/**
 * A policy as production ships it: `<name>.yaml` in `dir`, with its build-checked form
 * beside it, written by the bundle's own validator (dist/<fn>/policy-schema.js, the code
 * the build and deploy run: lib/policy/checked.ts). Returns the file's path, for GUARD_POLICY.
 */
export function packagedPolicy(bundleDir: string, dir: string, name: string, policy: object): string {
  const file = path.join(dir, `${name}.yaml`);
  const text = yamlText(policy);
  const validator = require(path.join(bundleDir, 'policy-schema.js')) as typeof import('../lib/policy/validate-module');
  const checked = validator.checkPolicyText(text, 'yaml');
  if (!checked.ok) throw new Error(validator.formatFailure('policy', file, checked.error.issues));
  fs.writeFileSync(file, text);
  fs.writeFileSync(validator.checkedPolicyPath(file), checked.value.checked);
  return file;
}

const RULES = [{ name: 'connection-pressure', match: { metrics: ['connected_clients', 'connections_usage'] }, scope: 'auto' }];

/**
 * Acts on every delivery: no cooldown, breaker at its ceiling, the kill job not
 * followed (waitSeconds 0), no session snapshot. What is left is one decision
 * and its DCS calls, nothing that sleeps.
 */
export const ACT_EVERY_TIME_POLICY = {
  version: 1,
  dryRun: false,
  alarms: RULES,
  guard: { cooldownSeconds: 0, maxKillsPerHour: 10_000, maxKillsPerHourPerInstance: 10_000 },
  jobs: { waitSeconds: 0 },
  audit: { snapshotSessions: false },
};

/** The storm: the default guard (15 min cooldown, 20 kills an hour), so one kill and then skips. */
export const STORM_POLICY = { version: 1, dryRun: false, alarms: RULES, jobs: { waitSeconds: 0 }, audit: { snapshotSessions: false } };

export type EventKind = 'node_kill' | 'instance_kill' | 'recovered' | 'no_match' | 'rejected';

type SmnTrigger = typeof nodeAlarmSample;

/** The sample node alarm, with its SMN message id and alarm message patched. */
function alarm(messageId: string, patch: (message: Record<string, unknown>) => void): SmnTrigger {
  const event = structuredClone(nodeAlarmSample);
  const record = event.record[0]!;
  const message = JSON.parse(record.smn.message) as Record<string, unknown>;
  patch(message);
  record.smn.message = JSON.stringify(message);
  record.smn.message_id = messageId;
  return event;
}

/** One event of a kind; `id` makes its SMN message id unique. */
export function eventOf(kind: EventKind, id: string): unknown {
  const messageId = `bench${id}`.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 128);
  switch (kind) {
    case 'node_kill':
      return alarm(messageId, () => undefined);
    case 'instance_kill':
      return alarm(messageId, (m) => {
        m.dimension = String(m.dimension).split(',')[0];
        m.metric_name = 'connections_usage';
      });
    case 'recovered':
      return alarm(messageId, (m) => (m.alarm_status = 'ok'));
    case 'no_match':
      // A valid alarm on a metric no rule names: the policy is read, nothing acts.
      return alarm(messageId, (m) => (m.metric_name = 'cpu_usage'));
    case 'rejected':
      return { record: 'not a list' };
  }
}

/** What each kind must decide (the bench refuses figures from runs that decided otherwise). */
export const EXPECTED_DECISION: Record<EventKind, string> = {
  node_kill: 'executed',
  instance_kill: 'executed',
  recovered: 'skipped_recovered',
  no_match: 'skipped_no_rule',
  rejected: 'rejected',
};

/** The project's DCS client with the demo credentials, pointed at an emulator. */
export function demoClient(endpoint: string): DcsClient {
  return createDcsClient({ endpoint, projectId: project.project_id, region: null, credentials: new DcsCredentials(credential.ak, credential.sk, null, 'HUAWEICLOUD_SDK'), timeoutMs: 10_000 });
}
