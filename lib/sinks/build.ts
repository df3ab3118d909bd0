/**
 * The sinks the policy asks for, after the stdout audit line, one per concern:
 *
 *   history   history.enabled and GUARD_REDIS_URL  every decision: one script call (XADD + trims), concurrent ones batched
 *   smn       notify.smnTopicUrn                   notify.on decisions: one publishMessage each
 *   webhooks  notify.webhooks[]                    each hook's `on` (default notify.on): one POST per hook, in parallel
 *   metrics   metrics.enabled                      every decision, batched: one createMetricData at flush
 *
 * The ones the policy turns on are chosen on the invocation's first decision
 * that reaches them (choose.ts); a `rejected` decision never does (the port,
 * lib/audit/sinks.ts, stops it: reachesLaterSinks).
 *
 * Webhook URLs and signing secrets are read from the environment variables the
 * policy names, here and nowhere else; a missing one fails that webhook with a
 * message naming the variable, never a value. No sink ever changes, delays or
 * repeats a decision: the port (lib/audit/sinks.ts) runs them after the stdout
 * line, each in decision order, bounded by the invocation's budget, and logs a
 * failure as one `type: log` line.
 */
import { resolveCesConfig, resolveSmnConfig } from '../cloud/endpoints';
import type { Env } from '../dcs/credentials';
import type { AuditRecord, DecisionKind } from '../domain/types';
import type { Context } from '../fg/types';
import { RedisGuardStore } from '../guard/redis-store';
import type { GuardStore } from '../guard';
import { historyAppender } from '../history/append';
import { metricData } from '../metrics/batch';
import { CesClient } from '../metrics/ces-client';
import { smnMessage } from '../notify/message';
import { SmnClient } from '../notify/smn-client';
import { deliver, label, type Webhook } from '../notify/webhook';
import type { DecisionSink } from '../audit';
import type { Budget } from '../domain/budget';
import { isWebhookUrl, type Policy, type WebhookSettings } from '../policy';
import { SinkError } from './types';

export interface SinkDeps {
  /** The policy, once a decision needs it; null when it cannot be loaded (that decision already says why). */
  policy: () => Policy | null;
  env: Env;
  context: Context | undefined;
  /** The guard store for the policy's timeout; null when it cannot be built. History needs the Redis one. */
  guard: (storeTimeoutMs: number) => GuardStore | null;
  now: () => number;
  /** Trusted CA(s) for webhook receivers with a private CA. */
  webhookCa?: string;
}

export function policySinks(deps: SinkDeps): DecisionSink[] {
  return [historySink(deps), smnSink(deps), webhooksSink(deps), metricsSink(deps)];
}

/** A step's deadline: its own timeout from now, never past the invocation's. */
const stepDeadline = (budget: Budget, timeoutMs: number, now: () => number) => Math.min(budget.deadline, now() + timeoutMs);

function historySink(deps: SinkDeps): DecisionSink {
  return {
    name: 'history',
    write: async ({ record, line }) => {
      const policy = deps.policy();
      if (!policy?.history.enabled) return;
      const store = deps.guard(policy.guard.storeTimeoutMs);
      if (!(store instanceof RedisGuardStore)) return;
      // Each call bounded by the store timeout, like every guard call; fails with a sanitized cause.
      await historyAppender(store).append(record, line, policy.history, deps.now());
    },
  };
}

function smnSink(deps: SinkDeps): DecisionSink {
  let client: { key: string; smn: SmnClient } | null = null;
  return {
    name: 'smn',
    write: async ({ record }, budget) => {
      const policy = deps.policy();
      const { smnTopicUrn: topicUrn, on, timeoutMs } = policy?.notify ?? {};
      if (topicUrn === undefined || !on?.includes(record.decision) || timeoutMs === undefined) return;
      if (client?.key !== topicUrn) {
        const config = resolveSmnConfig(deps.env, deps.context, topicUrn, timeoutMs);
        if (!config.ok) throw new SinkError(config.error);
        client = { key: topicUrn, smn: new SmnClient(config.value, deps.now) };
      }
      await client.smn.publishMessage({ topicUrn, body: smnMessage(record) }, { deadlineEpochMs: stepDeadline(budget, timeoutMs, deps.now) });
    },
  };
}

function webhooksSink(deps: SinkDeps): DecisionSink {
  return {
    name: 'webhooks',
    write: async ({ record }, budget) => {
      const policy = deps.policy();
      if (!policy || policy.notify.webhooks.length === 0) return;
      const { timeoutMs } = policy.notify;
      const deliveries = policy.notify.webhooks
        .map((settings, index) => ({ settings, name: settings.name ?? `${settings.format}#${index + 1}` }))
        .filter(({ settings }) => (settings.on ?? policy.notify.on).includes(record.decision))
        .map(({ settings, name }) => sendOne(settings, name, record, stepDeadline(budget, timeoutMs, deps.now), deps));
      const failures = (await Promise.allSettled(deliveries)).flatMap((r) => (r.status === 'rejected' ? [reasonOf(r.reason)] : []));
      if (failures.length > 0) throw new SinkError(failures.join('; '));
    },
  };
}

async function sendOne(settings: WebhookSettings, name: string, record: AuditRecord, deadline: number, deps: SinkDeps): Promise<void> {
  const hook = resolveWebhook(settings, name, deps.env);
  const timeoutMs = deadline - deps.now();
  if (timeoutMs <= 0) throw new SinkError(`webhook ${label(hook)}: not sent, no time left before the deadline`);
  await deliver(hook, record, { timeoutMs, now: deps.now(), ...(deps.webhookCa !== undefined ? { ca: deps.webhookCa } : {}) });
}

/** The webhook's URL and secret from the policy and the environment; problems name variables, never values. */
function resolveWebhook(settings: WebhookSettings, name: string, env: Env): Webhook {
  const rawUrl = settings.url ?? (settings.urlEnv !== undefined ? env[settings.urlEnv]?.trim() : undefined);
  if (!rawUrl) throw new SinkError(`webhook ${name}: environment variable ${settings.urlEnv} is not set`);
  if (!isWebhookUrl(rawUrl)) throw new SinkError(`webhook ${name}: ${settings.urlEnv ?? 'url'} is not an https URL (plain http only for loopback)`);
  let secret: string | null = null;
  if (settings.secretEnv !== undefined) {
    secret = env[settings.secretEnv] ?? '';
    if (secret === '') throw new SinkError(`webhook ${name}: environment variable ${settings.secretEnv} (its signing secret) is not set; not sent unsigned`);
  }
  return { name, url: new URL(rawUrl), format: settings.format, secret };
}

/** Our own errors carry safe messages; anything else is named only (its message could echo a URL). */
function reasonOf(e: unknown): string {
  return e instanceof Error && (e.name === 'SinkError' || e.name === 'WebhookError') ? e.message : `unexpected ${e instanceof Error ? e.name : typeof e}`;
}

function metricsSink(deps: SinkDeps): DecisionSink {
  const batch: AuditRecord[] = [];
  let settings: Policy['metrics'] | null = null;
  return {
    name: 'metrics',
    write: async ({ record }) => {
      const policy = deps.policy();
      if (!policy?.metrics.enabled) return;
      settings = policy.metrics;
      batch.push(record);
    },
    flush: async (budget) => {
      if (batch.length === 0 || settings === null) return;
      const { namespace, timeoutMs } = settings;
      const items = metricData(batch.splice(0), namespace, deps.now());
      const config = resolveCesConfig(deps.env, deps.context, timeoutMs);
      if (!config.ok) throw new SinkError(config.error);
      await new CesClient(config.value, deps.now).createMetricData({ body: items }, { deadlineEpochMs: stepDeadline(budget, timeoutMs, deps.now) });
    },
  };
}
