/**
 * The policy's schema: the single source of truth for what a policy may say,
 * its defaults, its TypeScript types and its published JSON Schema
 * (schema/policy.schema.json, generated from this file).
 *
 * Every object is strict: an unknown key is an error, because a typo such as
 * `cooldown:` for `cooldownSeconds:` must never silently fall back to a default
 * and weaken a guard.
 */
import * as z from 'zod';
import { safeToken, UUID_SOURCE } from '../domain/ids';
import { DECISION_KINDS, type DecisionKind } from '../domain/types';
import { parseNetwork } from '../sessions/cidr';
import {
  ACTION_KINDS,
  ALARM_FORMATS,
  DCS_NAMESPACE,
  DEFAULT_MAX_SESSIONS_PER_NODE,
  DEFAULT_NOTIFY_ON,
  isWebhookUrl,
  SCOPES,
  SIGNED_WEBHOOK_FORMATS,
  SMN_TOPIC_URN,
  WEBHOOK_FORMATS,
  WEBHOOK_URL_RULE,
  WHEN_NONE_MATCH,
} from './vocabulary';

export {
  ACTION_KINDS,
  ALARM_FORMATS,
  DCS_NAMESPACE,
  DEFAULT_MAX_SESSIONS_PER_NODE,
  DEFAULT_NOTIFY_ON,
  isLoopbackHost,
  isWebhookUrl,
  SCOPES,
  SIGNED_WEBHOOK_FORMATS,
  SMN_TOPIC_URN,
  WEBHOOK_FORMATS,
  WHEN_NONE_MATCH,
  type WebhookFormat,
} from './vocabulary';

// ---------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------

/** A strict object whose "unknown key" error names the key and suggests the closest known one. */
function strict<S extends z.ZodRawShape>(shape: S) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? unknownKeysMessage(issue.keys, known) : undefined),
  });
}

function unknownKeysMessage(keys: readonly string[], known: readonly string[]): string {
  // One line per key: the loader reports each unknown key at its own line.
  return keys.map((key) => unknownKeyMessage(key, known)).join('\n');
}

function unknownKeyMessage(key: string, known: readonly string[]): string {
  const guess = closest(key, known);
  const hint = guess ? `did you mean "${guess}"?` : `expected one of ${known.map((k) => `"${k}"`).join(', ')}`;
  return `Unknown key "${key}" (${hint})`;
}

/** The known key a typo most likely meant: one that extends it (or it extends), else the nearest close one. */
function closest(key: string, known: readonly string[]): string | null {
  const typed = key.toLowerCase();
  const extended = known.find((name) => name.toLowerCase().startsWith(typed) || typed.startsWith(name.toLowerCase()));
  if (extended) return extended;
  let best: { name: string; distance: number } | null = null;
  for (const name of known) {
    const distance = editDistance(typed, name.toLowerCase());
    if (!best || distance < best.distance) best = { name, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(best.name.length / 3)) ? best.name : null;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

const int = (min: number, max: number) => z.number().int({ error: 'Expected a whole number' }).min(min).max(max);

// Patterns are made by functions the schema builder calls: a RegExp built at module level would
// keep this file (and zod) in index.js, whose cold start must not evaluate it (docs/performance.md).

/** Policies write instance ids in lower case (strict on purpose: match.ts lower-cases the event's id and compares). */
const lowerCaseUuid = () => new RegExp(`^${UUID_SOURCE}$`);
/** A DCS node id as the logical-nodes API lists it. */
const nodeIdPattern = () => safeToken(1, 64);
/** An id, or a glob over ids: hex digits and dashes with at least one wildcard (* or ?). */
const instanceIdOrGlob = () => new RegExp(`^(?:${UUID_SOURCE}|[0-9a-f?-]*[*?][0-9a-f*?-]*)$`);

// ---------------------------------------------------------------------------
// Vocabulary (vocabulary.ts: the handlers use it without loading zod)
// ---------------------------------------------------------------------------

/** An environment variable name (upper case by convention on FunctionGraph). */
const ENV_NAME = /^[A-Z_][A-Z0-9_]{0,127}$/;
/** Cloud Eye custom namespace: "service.item", 3-32 characters, starting with a letter; SYS/AGT/SRE are the platform's. */
const CES_NAMESPACE = /^(?=.{3,32}$)[A-Za-z][A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/;
const RESERVED_NAMESPACE = /^(SYS|AGT|SRE)\./i;

/** A non-empty list of globs; an empty list would match nothing, which is never what was meant. */
const globs = (what: string) =>
  z
    .array(z.string().min(1, { error: `An empty ${what} pattern matches nothing` }))
    .min(1, { error: `List at least one ${what} pattern, or leave the field out to match any` });

// ---------------------------------------------------------------------------
// Actions: what a rule or schedule does to its targets' sessions
// ---------------------------------------------------------------------------

/** The action a rule or a schedule names; built on first use like the policy. */
export const ActionSchema = /* @__PURE__ */ z.lazy(buildActionSchema);

function buildActionSchema() {
  const seconds = (what: string) =>
    z
      .number()
      .int({ error: 'Expected a whole number of seconds' })
      .min(1, { error: `0 would choose every session ${what}; leave the criterion out instead` })
      .max(366 * 86400);

  /** Client IPs or networks; each one checked now, so a typo fails the deployment, not the 3 a.m. alarm. */
  const networks = z
    .array(
      z.string().superRefine((text, ctx) => {
        const parsed = parseNetwork(text);
        if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
      }),
    )
    .min(1, { error: 'List at least one address or CIDR, or leave the field out' });

  const selectSchema = strict({
    idleSecondsAtLeast: seconds('(every session has been idle 0 s)').optional().describe('Sessions idle (no command) for at least this many seconds.'),
    ageSecondsAtLeast: seconds('(every session is at least 0 s old)').optional().describe('Sessions connected for at least this many seconds.'),
    addresses: networks.optional().describe('Client IP in any of these CIDRs, or equal to one of these IPs (IPv4 or IPv6).'),
    names: globs('client name').optional().describe('Globs (* and ?) on the client name (CLIENT SETNAME); case-sensitive. A session without a name has the name "".'),
    commands: z.array(z.string().regex(/^[A-Za-z][A-Za-z0-9_|.-]{0,63}$/, { error: 'Expected a Redis command name such as "blpop"' }))
      .min(1, { error: 'List at least one command, or leave the field out' })
      .optional()
      .describe('The session\'s last command (cmd), case-insensitive.'),
  }).describe('All given criteria must hold for a session to be chosen; give at least one.');

  const protectSchema = strict({
    addresses: networks.optional().describe('Sessions from these IPs / CIDRs are never chosen.'),
    names: globs('client name').optional().describe('Sessions whose client name matches one of these globs are never chosen.'),
  }).describe('Never chosen, whatever select says. Replication links are always protected.');

  const killAllAction = strict({
    kind: z.literal('kill-all').describe('Every client session of the target (hangUpKillAllClients).'),
  });

  const killMatchingAction = strict({
    kind: z.literal('kill-matching').describe('Only the sessions select chooses (scanClients, listClients, hangUpClients).'),
    select: selectSchema,
    protect: protectSchema.optional(),
    maxSessionsPerNode: int(1, 100_000)
      .default(DEFAULT_MAX_SESSIONS_PER_NODE)
      .describe('At most this many sessions are closed per node, the idlest first; the rest stay.'),
    whenNoneMatch: z.enum(WHEN_NONE_MATCH).default('skip').describe(
      'No session chosen on any node of the target: skip (decision skipped_no_match), or kill-all (escalate to killing every session).',
    ),
  }).superRefine((action, ctx) => {
    if (Object.keys(action.select).length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['select'],
        message: 'select names no criterion, so it would choose every session: that is kill-all. Write kind: kill-all (or leave action out) to close every session, or give a criterion such as idleSecondsAtLeast',
      });
    }
  });

  return z
    .discriminatedUnion('kind', [killAllAction, killMatchingAction], {
      error: (issue) => (issue.code === 'invalid_union' ? `Expected kind: ${ACTION_KINDS.join(' or ')}` : undefined),
    })
    .default({ kind: 'kill-all' })
    .describe('What to do with the target\'s sessions; left out: kill-all.');
}

// ---------------------------------------------------------------------------
// The policy
// ---------------------------------------------------------------------------

/**
 * Built on first use (z.lazy), not when the module loads: constructing these
 * schemas is a large share of a cold start, and an event rejected before the
 * policy is read never needs them (docs/performance.md).
 */
export const PolicySchema = /* @__PURE__ */ z.lazy(buildPolicySchema);

function buildPolicySchema() {
  // Building blocks

  const instanceId = z
    .string()
    .regex(lowerCaseUuid(), { error: 'Expected a DCS instance id: a lower-case UUID like "5e2b1c9a-7f3d-4d2e-9b8a-1c2d3e4f5a6b"' });

  /**
   * An instance id, "*", or a glob of ids such as "5e2b1c9a-*". Names are refused:
   * a deny entry that can never match an id would silently deny nothing.
   */
  const instancePattern = z.string().regex(instanceIdOrGlob(), {
    error: 'Expected an instance id (lower-case UUID), "*", or a glob of ids like "5e2b1c9a-*" (instance names are not accepted)',
  });

  /** A DCS node id, as listed by the logical-nodes API (not a Cloud Eye dimension value). */
  const nodeId = z
    .string()
    .regex(nodeIdPattern(), { error: 'Expected a DCS node id (letters, digits, "-" and "_", at most 64 characters)' });

  /** Lists whose entries must be distinct (a repeated node would be killed twice). */
  const distinct = <T>(items: readonly T[]) => new Set(items).size === items.length;

  /** Per-rule / per-schedule dry run: it can only make things more careful, never less. */
  const dryRunOverride = z
    .literal(true, {
      error: 'A rule or schedule can only turn dry run on (dryRun: true); to act, set the top-level dryRun: false',
    })
    .optional()
    .describe('true: this rule (or schedule) only decides and audits, even when the policy acts. It cannot turn a dry run off.');

  // Sections

  const instancesSchema = strict({
    allow: z.array(instancePattern).default(['*']).describe('Instance ids (or globs, or "*") that may be touched at all.'),
    deny: z.array(instancePattern).default([]).describe('Instance ids (or globs) that must never be touched. Deny wins over allow.'),
  }).describe('Which DCS instances may be touched at all.');

  const matchSchema = strict({
    alarmNames: globs('alarm name').optional().describe('Globs (* and ?) on the Cloud Eye alarm rule name.'),
    metrics: globs('metric').optional().describe(
      'Globs on the metric code (e.g. connected_clients). Templated alarms carry no metric code, so a rule with metrics never matches them.',
    ),
    instances: z.array(instancePattern).min(1, { error: 'List at least one instance pattern, or leave the field out' }).optional()
      .describe('Instance ids or globs.'),
    namespaces: globs('namespace').optional().describe(
      `Globs on the Cloud Eye namespace. Left out: classic alarms must be ${DCS_NAMESPACE}; templated alarms (no namespace code) match.`,
    ),
    formats: z.array(z.enum(ALARM_FORMATS)).min(1).optional().describe('Alarm message formats this rule accepts.'),
  }).describe('Every given field must match; a field given here that the alarm does not carry does not match.');

  const alarmRuleSchema = strict({
    name: z.string().min(1).max(128).describe('Unique name, written in each audit record as "rule".'),
    match: matchSchema,
    scope: z.enum(SCOPES).default('auto').describe(
      'auto: the alarmed node, or all nodes for an instance alarm; node: node alarms only; instance: always all nodes.',
    ),
    action: ActionSchema,
    dryRun: dryRunOverride,
  });

  const scheduleTargetSchema = strict({
    instance: instanceId.describe('The instance id (exact, no globs: a timer acts on what it names).'),
    nodes: z
      .union([
        z.literal('all'),
        z.array(nodeId).min(1, { error: 'List at least one node id, or write nodes: all' }).refine(distinct, {
          error: 'A node id is listed twice',
        }),
      ], { error: 'Expected "all" or a list of node ids' })
      .describe('"all" for every node of the instance, or a list of node ids.'),
  });

  const scheduleSchema = strict({
    targets: z.array(scheduleTargetSchema).min(1, { error: 'A schedule needs at least one target' }),
    action: ActionSchema,
    dryRun: dryRunOverride,
  });

  const scheduleName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, {
    error: 'A schedule name uses letters, digits, "_", "." and "-" (it is matched against user_event or the trigger name)',
  });

  const guardSchema = strict({
    cooldownSeconds: int(0, 7 * 86400).default(900).describe('Per target: no second kill within this many seconds.'),
    maxKillsPerHour: int(1, 10000).default(20).describe('Circuit breaker: kills in a rolling hour, all instances together.'),
    maxKillsPerHourPerInstance: int(1, 10000).default(6).describe('Circuit breaker per instance, in a rolling hour.'),
    dedupTtlSeconds: int(1, 7 * 86400).default(86400).describe('How long a notification is remembered to drop redeliveries.'),
    failOpen: z.boolean().default(false).describe(
      'false (safe): if the guard store is unreachable, do not kill. true: act without the guard, audited as such.',
    ),
    storeTimeoutMs: int(10, 10000).default(500).describe('How long a guard store call may take before it counts as unavailable.'),
  }).describe('Dedup, cooldown and circuit breaker settings.');

  const jobsSchema = strict({
    waitSeconds: int(0, 900).default(30).describe('How long to follow the kill job (bounded by the remaining function time).'),
    pollIntervalMs: int(100, 60000).default(1000).describe('Wait before the first poll of the kill job; later polls back off (doubling, at most 5 s).'),
  });

  const auditSchema = strict({
    snapshotSessions: z.boolean().default(true).describe('Before a kill, record who is connected (bounded in time and size).'),
    snapshotMaxNodes: int(1, 1000).default(16).describe('At most this many nodes are snapshotted for an instance-wide kill.'),
    snapshotBudgetMs: int(0, 30000).default(1500).describe('Time the snapshot may take; the kill never waits longer.'),
  });

  const decisionKinds = z
    .array(z.enum(DECISION_KINDS as unknown as [DecisionKind, ...DecisionKind[]]))
    .min(1, { error: 'List at least one decision, or leave the field out for the default' })
    .refine(distinct, { error: 'A decision is listed twice' });

  const webhookSchema = strict({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/).optional()
      .describe('Shown in log lines instead of the URL (default: the format and the position in the list).'),
    url: z.string().refine(isWebhookUrl, { error: WEBHOOK_URL_RULE }).optional()
      .describe('The webhook URL. Its path and query often hold the robot\'s key: prefer urlEnv to keep it out of the policy.'),
    urlEnv: z.string().regex(ENV_NAME, { error: 'Expected an environment variable name like NOTIFY_WEBHOOK_URL' }).optional()
      .describe('Name of the environment variable that holds the webhook URL (kept out of the policy, e.g. in an encrypted FunctionGraph variable).'),
    format: z.enum(WEBHOOK_FORMATS).default('generic').describe(
      'generic: the audit record as JSON (X-Signature HMAC-SHA256 when signed); feishu, dingtalk, wecom, slack: the chat robot\'s message format.',
    ),
    secretEnv: z.string().regex(ENV_NAME, { error: 'Expected an environment variable name like NOTIFY_WEBHOOK_SECRET' }).optional()
      .describe('Name of the environment variable holding the signing secret (generic, feishu, dingtalk). The secret itself never goes in the policy.'),
    on: decisionKinds.optional().describe('Decisions this webhook is told about; default: notify.on.'),
  }).superRefine((hook, ctx) => {
    if ((hook.url === undefined) === (hook.urlEnv === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'Give exactly one of url or urlEnv' });
    }
    if (hook.secretEnv !== undefined && !SIGNED_WEBHOOK_FORMATS.includes(hook.format)) {
      ctx.addIssue({ code: 'custom', path: ['secretEnv'], message: `A ${hook.format} webhook has no signing scheme: its URL is the secret (use urlEnv)` });
    }
  });

  const notifySchema = strict({
    on: decisionKinds.default([...DEFAULT_NOTIFY_ON]).describe('Decisions that notify (default: executed, failed, skipped_rate_limit).'),
    smnTopicUrn: z.string().regex(SMN_TOPIC_URN, { error: 'Expected an SMN topic URN: urn:smn:<region>:<project id>:<topic name>' }).optional()
      .describe('SMN topic to publish each notifying decision to (IAM action smn:topic:publish).'),
    webhooks: z.array(webhookSchema).max(10, { error: 'At most 10 webhooks' }).default([]).describe('HTTPS webhooks told about each notifying decision.'),
    timeoutMs: int(100, 10000).default(1500).describe('Time one notification may take; never beyond the invocation\'s budget.'),
  }).describe('Who is told about decisions: an SMN topic and webhooks. A failing notification is logged and changes no decision.');

  const historySchema = strict({
    enabled: z.boolean().default(true).describe('With GUARD_REDIS_URL: append every audit record to a capped Redis stream beside the guard keys.'),
    maxEntries: int(100, 10_000_000).default(100_000).describe('The stream keeps at most about this many records.'),
    maxAgeDays: int(1, 3650).default(30).describe('Records older than this are trimmed.'),
  }).describe('A queryable history of decisions (dcs-session-guard history).');

  const metricsSchema = strict({
    enabled: z.boolean().default(false).describe('Send one Cloud Eye custom metric per decision kind and instance, batched per invocation (IAM action ces:metricData:create).'),
    namespace: z.string()
      .regex(CES_NAMESPACE, { error: 'Expected a Cloud Eye custom namespace like CUSTOM.DCSGUARD ("service.item", 3-32 characters, starting with a letter)' })
      .refine((ns) => !RESERVED_NAMESPACE.test(ns), { error: 'The SYS., AGT. and SRE. namespaces are reserved for the platform' })
      .default('CUSTOM.DCSGUARD').describe('Cloud Eye custom namespace.'),
    timeoutMs: int(100, 10000).default(1500).describe('Time the metric upload may take; never beyond the invocation\'s budget.'),
  }).describe('Cloud Eye custom metrics about the guard itself, to alarm on (e.g. breaker open, kills per hour).');

  // The policy

  return strict({
    $schema: z.string().optional().describe('JSON Schema reference for editors; ignored.'),
    version: z.literal(1, { error: 'Expected version: 1 (the only policy version)' }),
    dryRun: z.boolean().default(false).describe('true: decide and audit, never kill.'),
    instances: instancesSchema.prefault({}),
    alarms: z
      .array(alarmRuleSchema)
      .default([])
      .superRefine((rules, ctx) => {
        const seen = new Set<string>();
        rules.forEach((rule, index) => {
          if (seen.has(rule.name)) {
            ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `Rule name "${rule.name}" is used twice; names must be unique` });
          }
          seen.add(rule.name);
        });
      })
      .describe('Alarm rules, tried in order: the first matching rule wins.'),
    schedules: z.record(scheduleName, scheduleSchema).default({}).describe('Timer-triggered cleanups, by schedule name.'),
    guard: guardSchema.prefault({}),
    jobs: jobsSchema.prefault({}),
    audit: auditSchema.prefault({}),
    notify: notifySchema.prefault({}),
    history: historySchema.prefault({}),
    metrics: metricsSchema.prefault({}),
  }).describe('dcs-session-guard policy');
}

/** A policy as written (optional fields may be missing). */
export type PolicyInput = z.input<typeof PolicySchema>;
/** A validated policy with every default applied. */
export type Policy = z.output<typeof PolicySchema>;
export type AlarmRule = Policy['alarms'][number];
export type AlarmMatch = AlarmRule['match'];
export type AlarmFormat = (typeof ALARM_FORMATS)[number];
export type Scope = (typeof SCOPES)[number];
/** A validated action, defaults applied. */
export type ActionSpec = z.output<typeof ActionSchema>;
export type ActionKind = ActionSpec['kind'];
export type KillMatchingSpec = Extract<ActionSpec, { kind: 'kill-matching' }>;
export type SessionSelect = KillMatchingSpec['select'];
export type SessionProtect = NonNullable<KillMatchingSpec['protect']>;
export type Schedule = Policy['schedules'][string];
export type ScheduleTarget = Schedule['targets'][number];
export type InstanceRules = Policy['instances'];
export type GuardSettings = Policy['guard'];
export type JobSettings = Policy['jobs'];
export type AuditSettings = Policy['audit'];
export type NotifySettings = Policy['notify'];
export type WebhookSettings = NotifySettings['webhooks'][number];
export type HistorySettings = Policy['history'];
export type MetricsSettings = Policy['metrics'];
