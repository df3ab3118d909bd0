/** What the runner prints once it is up: what runs where, and commands to paste. */
import * as path from 'node:path';
import type { Layout } from './layout';
import type { PolicySummary, RunningInfo } from './runner';
import { DEMO } from './target';

export interface BannerInput extends RunningInfo {
  policy: PolicySummary;
  layout: Layout;
  cwd: string;
}

/** A path as the user can paste it from where they started the runner. */
function shown(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

function dcsLines(b: BannerInput): string[] {
  if (b.target.kind === 'emulator') {
    const sessions = b.simulatedBecause === null ? 'one real redis-server per node' : `simulated sessions (${b.simulatedBecause})`;
    return [
      `  DCS API         embedded emulator ${b.emulatorUrl} (demo seed, project ${DEMO.projectId}, demo keys)`,
      `  Redis nodes     ${sessions}`,
    ];
  }
  const lines = [`  DCS API         ${b.target.endpoint} (project ${b.target.projectId}, your credentials)`];
  const banner = '!'.repeat(78);
  if (b.policy.forcedDryRun) {
    lines.push('', banner, '  REAL DCS API, DRY RUN: GUARD_DRY_RUN=true. Decisions are audited, nothing is killed.', '  Pass --live to let the policy act for real.', banner);
  } else {
    const acts = b.policy.dryRun ? 'the policy itself is in dry run (dryRun: true), so nothing is killed yet' : 'kill-all WILL be called on your instances';
    lines.push('', banner, `  REAL DCS API, LIVE (--live): ${acts}.`, banner);
  }
  return lines;
}

function tryIt(b: BannerInput): string[] {
  const g = b.gatewayUrl;
  const sample = (name: string) => shown(path.join(b.layout.samplesDir, name), b.cwd);
  const sendAlarm = `curl -s -X POST ${g}/cloudeye -H 'content-type: application/json' -H 'x-smn-message-type: Notification' --data-binary @${sample('node-alarm.smn-http.json')}`;
  const steps: Array<[string, string]> = [['Cloud Eye -> SMN -> webhook: the sample node alarm, as SMN posts it (APIG trigger)', sendAlarm]];
  if (b.target.kind === 'emulator') steps.push(['The kill-all it caused, as the DCS API received it', `curl -s ${g}/kills`]);
  steps.push(['The audit trail', `curl -s ${g}/audit`]);
  const lines = ['Try it (copy-paste):', ...steps.flatMap(([what, cmd], i) => [`  # ${i + 1}. ${what}`, `  ${cmd}`])];
  lines.push(
    '  # More: the same alarm again at once (dropped as a duplicate), an instance alarm through the SMN trigger, the nightly schedule',
    `  ${sendAlarm}`,
    `  curl -s -X POST ${g}/smn --data-binary @${sample('instance-alarm.message.json')}`,
    `  curl -s -X POST ${g}/timer/nightly`,
  );
  if (b.emulatorUrl !== null) lines.push('  # Every DCS request the emulator recorded', `  curl -s ${b.emulatorUrl}/__emulator/requests`);
  if (b.demoClients.length > 0) {
    lines.push(
      '  # Precision instead of kill-all: reconnect the demo clients, wait 5 s, then close only the idle ones',
      '  # (demo-app-*); the demo-busy-* clients keep talking and keep running. The audit line lists who was closed.',
      `  curl -s -X POST ${g}/demo-clients; sleep 6; curl -s -X POST ${g}/timer/idle-sweep`,
    );
    lines.push('  # Reconnect the demo Redis clients after a kill', `  curl -s -X POST ${g}/demo-clients`);
  }
  return lines;
}

/** Where decisions go after their audit line, and how to read the history back. */
function sinkLines(b: BannerInput): string[] {
  const s = b.sinks;
  if (s === null) return [];
  const history = s.historyRedisUrl
    ? [`  History         ${s.historyRedisUrl} (also the guard store): dcs-session-guard history --redis-url ${s.historyRedisUrl} [--follow]`]
    : [`  History         off: ${s.historyWhyNot ?? 'no Redis'} (the guard store is in memory)`];
  return [
    '',
    'After each audit line, decisions go to (docs/notify.md):',
    `  SMN             ${s.smnTopicUrn} at the emulator (publishMessage in its requests)`,
    `  Webhook         ${s.webhookUrl} (generic, signed): printed below as [webhook]`,
    '  Metrics         Cloud Eye CUSTOM.DCSGUARD at the emulator (createMetricData)',
    ...history,
  ];
}

export function banner(b: BannerInput): string {
  const policyNote = b.policy.forcedDryRun ? 'dry run, forced by GUARD_DRY_RUN=true' : b.policy.dryRun ? 'dryRun: true, decides and audits only' : 'dryRun: false, acts';
  const lines = [
    '',
    'dcs-session-guard local runner',
    '',
    ...dcsLines(b),
    ...b.functions.map((f, i) => `  ${i === 0 ? 'Functions ' : '          '}      ${f.kind.padEnd(5)} ${shown(f.bundle, b.cwd)} (warm container, pid ${f.pid ?? '?'})`),
    `  Policy          ${b.policy.source.startsWith('/') ? shown(b.policy.source, b.cwd) : b.policy.source} (${policyNote})`,
    `  Local gateway   ${b.gatewayUrl}  (POST /cloudeye, POST /smn, POST /timer/<schedule>, GET /audit${b.target.kind === 'emulator' ? ', GET /kills' : ''})`,
    `  Local gateway ONLY: ${Object.entries(b.localGatewayEnv).map(([k, v]) => `${k}=${v}`).join(', ')}`,
    '                  (the samples are unsigned and old; a deployed function verifies SMN signatures and their age)',
  ];
  if (b.demoClients.length > 0) {
    lines.push('', `Demo clients connected to node ${DEMO.alarmedNodeId} (the node the sample alarm names):`, ...b.demoClients.map((n) => `  ${n}`));
    lines.push('  The sample alarm (kill-all) drops them all; /timer/idle-sweep (kill-matching) only the idle demo-app-* ones: watch for "closed by the server".');
  }
  lines.push(...sinkLines(b), '', ...tryIt(b), '', 'Ctrl-C stops everything.', `Ready: ${b.gatewayUrl}`, '');
  return lines.join('\n');
}
