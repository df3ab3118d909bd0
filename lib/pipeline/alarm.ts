import { authenticateSmnMessage, confirmSubscription } from '../auth';
import type { AlarmSource } from '../domain/types';
import { parseAlarmMessage, readAlarmEvent, toDelivery, type AlarmSignal, type SmnDelivery } from '../events';
import type { SmnHttpMessage } from '../fg/types';
import { isInstanceAllowed, matchAlarmRule } from '../policy';
import { targetsForAlarm } from '../targets';
import { decided, rejected, type Outcome } from './act';
import type { Invocation } from './invocation';
import { configFailure, decideAndAudit, prepareActor } from './common';

/**
 * The alarm story: read the event → authenticate what needs it → for each
 * notification: parse the alarm → match a rule → pick targets → act → audit.
 */
export async function runAlarm(event: unknown, inv: Invocation): Promise<void> {
  const form = readAlarmEvent(event);
  if (!form.ok) {
    inv.reject(form.error);
    return;
  }
  if (form.value.form === 'smn-trigger') {
    // The platform delivers trigger events: there is no signature to check (docs/security.md).
    for (const delivery of form.value.records) await handleDelivery(delivery, null, inv);
    return;
  }
  const message = form.value.message;
  if (await authenticated(message, inv)) await handleDelivery(toDelivery(message), message, inv);
}

/** Checks an SMN HTTP(S) message; audits and answers 401/403 when it fails. */
async function authenticated(message: SmnHttpMessage, inv: Invocation): Promise<boolean> {
  const config = inv.container.smnAuth();
  if (!config.ok) {
    inv.settle(inv.auditor.begin(), configFailure(inv, 'SmnConfigInvalid', config.error.message));
    return false;
  }
  const auth = await authenticateSmnMessage(message, config.value, { now: inv.now(), fetchCert: inv.container.certFetcher });
  if (!auth.ok) {
    inv.reject(auth.error, sourceOf(toDelivery(message), null));
    return false;
  }
  if (!auth.value.authenticated) {
    inv.log.warn('SMN_ALLOW_UNSIGNED is true: this SMN message was processed WITHOUT signature verification.', {
      messageId: message.message_id ?? null,
    });
  }
  return true;
}

/** `signed` is the SMN HTTP message a delivery came in, when it came over HTTP (needed to confirm a subscription). */
async function handleDelivery(delivery: SmnDelivery, signed: SmnHttpMessage | null, inv: Invocation): Promise<void> {
  await decideAndAudit(inv, () => decideDelivery(delivery, signed, inv), sourceOf(delivery, null));
}

async function decideDelivery(delivery: SmnDelivery, signed: SmnHttpMessage | null, inv: Invocation): Promise<Outcome[]> {
  const type = delivery.messageType.toLowerCase();
  if (type === 'subscriptionconfirmation') return [await confirm(delivery, signed, inv)];
  if (type !== 'notification') {
    return [decided({ decision: 'skipped_no_rule', reason: `SMN ${delivery.messageType} message audited; never acted on.`, source: sourceOf(delivery, null) })];
  }

  const parsed = parseAlarmMessage(delivery.message);
  if (!parsed.ok) return [rejected(inv, parsed.error, sourceOf(delivery, null))];
  if (parsed.value.kind === 'not_alarm') {
    return [decided({ decision: 'skipped_no_rule', reason: `Not a Cloud Eye alarm: ${parsed.value.reason}`, source: sourceOf(delivery, null) })];
  }
  return decideAlarm(parsed.value.alarm, delivery, inv);
}

async function decideAlarm(alarm: AlarmSignal, delivery: SmnDelivery, inv: Invocation): Promise<Outcome[]> {
  const source = sourceOf(delivery, alarm);
  const loaded = inv.container.policy();
  if (!loaded.ok) return [configFailure(inv, 'PolicyInvalid', loaded.error.format(), source)];
  const { policy } = loaded.value;

  const rule = matchAlarmRule(policy, alarm);
  if (!rule) {
    return [decided({ decision: 'skipped_no_rule', reason: noRuleReason(alarm), source })];
  }
  if (!alarm.instanceId) {
    return [decided({ decision: 'skipped_precondition', reason: 'The alarm names no DCS instance.', source, rule: rule.name })];
  }
  const allowed = isInstanceAllowed(policy, alarm.instanceId);
  if (!allowed.allowed) {
    return [decided({ decision: 'skipped_not_allowed', reason: allowed.reason, source, rule: rule.name })];
  }
  if (alarm.status !== 'alarm') {
    return [decided({ decision: 'skipped_recovered', reason: `Alarm status is "${alarm.status}": nothing to remediate.`, source, rule: rule.name })];
  }

  const actor = prepareActor(inv, loaded.value, source);
  if (!actor.ok) return [actor.error];
  const plan = await targetsForAlarm({
    alarm: { ...alarm, instanceId: alarm.instanceId },
    rule,
    projectId: actor.value.dcs.projectId,
    dcs: actor.value.dcs,
    nodes: inv.container.nodes,
  });
  if (!plan.ok) return [decided({ decision: plan.decision, reason: plan.reason, source, rule: rule.name })];

  const how = { rule: rule.name, dedupKey: dedupKeyOf(delivery, alarm), dryRun: policy.dryRun || rule.dryRun === true };
  const outcomes: Outcome[] = [];
  for (const target of plan.targets) outcomes.push(await actor.value.act(target, how));
  return outcomes;
}

async function confirm(delivery: SmnDelivery, signed: SmnHttpMessage | null, inv: Invocation): Promise<Outcome> {
  const source = sourceOf(delivery, null);
  if (!signed) {
    return decided({ decision: 'skipped_no_rule', reason: 'Subscription confirmations are only handled for SMN HTTP(S) deliveries.', source });
  }
  const config = inv.container.smnAuth();
  if (!config.ok) return configFailure(inv, 'SmnConfigInvalid', config.error.message, source);
  const result = await confirmSubscription(signed, config.value, {});
  if (result.ok) {
    return decided({ decision: 'subscription_confirmed', reason: `Confirmed the subscription to ${delivery.topicUrn ?? 'the topic'}.`, source });
  }
  const error = result.error;
  // A Rejection (refused before any request) has a reason; an ErrorInfo (the GET failed) has a message.
  if ('reason' in error) return rejected(inv, error, source);
  return decided({ decision: 'failed', reason: `Subscription confirmation failed: ${error.message}`, source, error }, true);
}

function noRuleReason(alarm: AlarmSignal): string {
  if (alarm.namespace && alarm.namespace !== 'SYS.DCS') return `Namespace ${alarm.namespace} is not DCS; no rule applies.`;
  return `No policy rule matches alarm "${alarm.alarmName ?? '?'}" (metric ${alarm.metric ?? 'unknown'}).`;
}

/** SMN's message id identifies a notification across redeliveries; else the alarm's own id and time. */
function dedupKeyOf(delivery: SmnDelivery, alarm: AlarmSignal): string | null {
  if (delivery.messageId) return `smn:${delivery.messageId}`;
  if (alarm.alarmId && alarm.time !== null) return `alarm:${alarm.alarmId}:${alarm.time}`;
  return null;
}

function sourceOf(delivery: SmnDelivery, alarm: AlarmSignal | null): AlarmSource {
  return {
    alarmId: alarm?.alarmId ?? null,
    alarmName: alarm?.alarmName ?? null,
    alarmStatus: alarm?.status ?? null,
    metric: alarm?.metric ?? null,
    smnMessageId: delivery.messageId,
    topicUrn: delivery.topicUrn,
  };
}
