/** What the runner prints once it is up: what runs where, and commands to paste. */
import * as path from 'node:path';
import type { Layout } from './layout';
import type { PolicySummary, RunningInfo } from './runner';
import { sampleAlarmOutcome, scheduleNames, type SampleOutcome } from './policy-preview';
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
    const acts = b.policy.policy.dryRun ? 'the policy itself is in dry run (dryRun: true), so nothing is killed yet' : 'kill-all WILL be called on your instances';
    lines.push('', banner, `  REAL DCS API, LIVE (--live): ${acts}.`, banner);
  }
  return lines;
}

/** The demo policy's precision schedule (kill-matching on idle sessions), shown with the demo clients. */
const PRECISION_SCHEDULE = 'idle-sweep';

/** A path for a pasted command: absolute, so it works from any folder; quoted when the shell would split it. */
function pastable(file: string): string {
  return /^[\w@%+=:,./-]+$/.test(file) ? file : `'${file.replace(/'/g, `'\\''`)}'`;
}

/** What the sample node alarm does under the loaded policy, in the banner's words. */
function sampleEffect(outcome: SampleOutcome, emulated: boolean): string {
  switch (outcome.kind) {
    case 'kill':
      return emulated ? `kills the sessions of node ${DEMO.alarmedNodeId}` : 'kills the sessions of the alarmed node';
    case 'dry_run':
      return `a dry run, because ${outcome.cause}: decided and audited, nothing killed`;
    case 'skip':
      return `${outcome.decision}: ${outcome.why}`;
  }
}

function tryIt(b: BannerInput, outcome: SampleOutcome): string[] {
  const g = b.gatewayUrl;
  const sample = (name: string) => pastable(path.join(b.layout.samplesDir, name));
  const sendAlarm = `curl -s -X POST ${g}/cloudeye -H 'content-type: application/json' -H 'x-smn-message-type: Notification' --data-binary @${sample('node-alarm.smn-http.json')}`;
  const steps: Array<[string, string]> = [[`Cloud Eye -> SMN -> webhook: the sample node alarm, as SMN posts it (APIG trigger); with this policy: ${sampleEffect(outcome, b.target.kind === 'emulator')}`, sendAlarm]];
  if (b.target.kind === 'emulator' && outcome.kind === 'kill') steps.push(['The kill-all it caused, as the DCS API received it', `curl -s ${g}/kills`]);
  steps.push(['The audit trail', `curl -s ${g}/audit`]);
  const lines = ['Try it (copy-paste, from any folder):', ...steps.flatMap(([what, cmd], i) => [`  # ${i + 1}. ${what}`, `  ${cmd}`])];
  lines.push(
    // A dry run leaves no dedup mark behind, so only an acting policy drops the repeat.
    `  # More: the same alarm again at once${outcome.kind === 'kill' ? ' (dropped as a duplicate)' : ''}, an instance alarm through the SMN trigger`,
    `  ${sendAlarm}`,
    `  curl -s -X POST ${g}/smn --data-binary @${sample('instance-alarm.message.json')}`,
  );
  const schedules = scheduleNames(b.policy.policy);
  if (schedules.length === 0) lines.push('  # This policy has no schedules: POST /timer/<name> is audited as skipped_no_rule');
  else lines.push(`  # The policy's schedule${schedules.length === 1 ? '' : 's'}, as its timer trigger fires`, ...schedules.map((name) => `  curl -s -X POST ${g}/timer/${encodeURIComponent(name)}`));
  if (b.emulatorUrl !== null) lines.push('  # Every DCS request the emulator recorded', `  curl -s ${b.emulatorUrl}/__emulator/requests`);
  if (b.demoClients.length > 0 && schedules.includes(PRECISION_SCHEDULE)) {
    lines.push(
      '  # Precision instead of kill-all: reconnect the demo clients, wait 5 s, then close only the idle ones',
      '  # (demo-app-*); the demo-busy-* clients keep talking and keep running. The audit line lists who was closed.',
      `  curl -s -X POST ${g}/demo-clients; sleep 6; curl -s -X POST ${g}/timer/${PRECISION_SCHEDULE}`,
    );
  }
  if (b.demoClients.length > 0) {
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
  const policyNote = b.policy.forcedDryRun ? 'dry run, forced by GUARD_DRY_RUN=true' : b.policy.policy.dryRun ? 'dryRun: true, decides and audits only' : 'dryRun: false, acts';
  const outcome = sampleAlarmOutcome(b.policy, path.join(b.layout.samplesDir, 'node-alarm.smn-http.json'));
  const lines = [
    '',
    'dcs-session-guard local runner',
    '',
    ...dcsLines(b),
    ...b.functions.map((f, i) => `  ${i === 0 ? 'Functions ' : '          '}      ${f.kind.padEnd(5)} ${shown(f.bundle, b.cwd)} (warm container, pid ${f.pid ?? '?'})`),
    `  Policy          ${b.policy.source.startsWith('/') ? shown(b.policy.source, b.cwd) : b.policy.source} (${b.policy.origin}; ${policyNote})`,
    `  Guard store     ${b.guardStore}`,
    `  Local gateway   ${b.gatewayUrl}  (POST /cloudeye, POST /smn, POST /timer/<schedule>, GET /audit${b.target.kind === 'emulator' ? ', GET /kills' : ''})`,
    `  Local gateway ONLY: ${Object.entries(b.localGatewayEnv).map(([k, v]) => `${k}=${v}`).join(', ')}`,
    '                  (the samples are unsigned and old; a deployed function verifies SMN signatures and their age)',
  ];
  if (b.demoClients.length > 0) {
    lines.push('', `Demo clients connected to node ${DEMO.alarmedNodeId} (the node the sample alarm names):`, ...b.demoClients.map((n) => `  ${n}`));
    const dropped = outcome.kind === 'kill'
      ? 'The sample alarm (kill-all) drops them all'
      : `This policy does not drop them on the sample alarm (${sampleEffect(outcome, true)})`;
    const sweep = scheduleNames(b.policy.policy).includes(PRECISION_SCHEDULE) ? `; /timer/${PRECISION_SCHEDULE} (kill-matching) closes only the idle demo-app-* ones` : '';
    lines.push(`  ${dropped}${sweep}: watch for "closed by the server".`);
  }
  lines.push(...sinkLines(b), '', ...tryIt(b, outcome), '', 'Ctrl-C stops everything.', `Ready: ${b.gatewayUrl}`, '');
  return lines.join('\n');
}
