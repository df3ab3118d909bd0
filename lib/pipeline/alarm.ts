import { err, ok, type AlarmSource, type Result } from '../domain/types';
import { parseAlarmMessage, readAlarmEvent, toDelivery, type AlarmSignal, type SmnDelivery } from '../events';
import type { SmnHttpMessage } from '../fg/types';
import { dryRunCause, isInstanceAllowed, matchAlarmRule } from '../policy';
import { acting } from '../runtime/acting';
import { configFailure, decided, rejected, type Decision } from './decision';
import type { Invocation } from './invocation';
import { caught, executionPolicy, type Step } from './plan';

/**
 * The alarm story: read the event → authenticate what needs it → for each
 * notification: parse the alarm → match a rule → pick targets → one plan per
 * target. It reads (the policy, the node listing) but never acts.
 */
export async function* alarmStory(event: unknown, inv: Invocation): AsyncGenerator<Step> {
  const form = readAlarmEvent(event);
  if (!form.ok) return yield rejected(form.error);
  if (form.value.form === 'smn-trigger') {
    // The platform delivers trigger events: there is no signature to check (docs/security.md).
    for (const delivery of form.value.records) yield* caught(sourceOf(delivery, null), deliverySteps(delivery, null, inv));
    return;
  }
  const message = form.value.message;
  const auth = await authenticate(message, inv);
  if (!auth.ok) return yield auth.error;
  const delivery = toDelivery(message);
  // Only a verified signature may confirm a subscription: SMN_ALLOW_UNSIGNED admits notifications, nothing more.
  yield* caught(sourceOf(delivery, null), deliverySteps(delivery, auth.value.authenticated ? message : null, inv));
}

/** Checks an SMN HTTP(S) message: whether its signature verified, else the decision refusing it. */
async function authenticate(message: SmnHttpMessage, inv: Invocation): Promise<Result<{ authenticated: boolean }, Decision>> {
  const config = inv.container.smnAuth();
  if (!config.ok) return err(configFailure('SmnConfigInvalid', config.error.message));
  const auth = await acting().authenticateSmnMessage(message, config.value, { now: inv.now(), fetchCert: inv.container.certFetcher });
  if (!auth.ok) return err(rejected(auth.error, sourceOf(toDelivery(message), null)));
  if (!auth.value.authenticated) {
    inv.log.warn('SMN_ALLOW_UNSIGNED is true: this SMN message was processed WITHOUT signature verification.', {
      messageId: message.message_id ?? null,
    });
  }
  return ok({ authenticated: auth.value.authenticated });
}

/** `signed` is the SMN HTTP message a delivery came in, when it came over HTTP with a verified signature (needed to confirm a subscription). */
async function* deliverySteps(delivery: SmnDelivery, signed: SmnHttpMessage | null, inv: Invocation): AsyncGenerator<Step> {
  const type = delivery.messageType.toLowerCase();
  if (type === 'subscriptionconfirmation') return yield await confirm(delivery, signed, inv);
  if (type !== 'notification') {
    return yield decided({ decision: 'skipped_no_rule', reason: `SMN ${delivery.messageType} message audited; never acted on.`, source: sourceOf(delivery, null) });
  }
  const parsed = parseAlarmMessage(delivery.message);
  if (!parsed.ok) return yield rejected(parsed.error, sourceOf(delivery, null));
  if (parsed.value.kind === 'not_alarm') {
    return yield decided({ decision: 'skipped_no_rule', reason: `Not a Cloud Eye alarm: ${parsed.value.reason}`, source: sourceOf(delivery, null) });
  }
  yield* alarmSteps(parsed.value.alarm, delivery, inv);
}

async function* alarmSteps(alarm: AlarmSignal, delivery: SmnDelivery, inv: Invocation): AsyncGenerator<Step> {
  const source = sourceOf(delivery, alarm);
  const loaded = inv.container.policy();
  if (!loaded.ok) return yield configFailure('PolicyInvalid', loaded.error.format(), source);
  const { policy } = loaded.value;

  const rule = matchAlarmRule(policy, alarm);
  if (!rule) return yield decided({ decision: 'skipped_no_rule', reason: noRuleReason(alarm), source });
  const skip = (decision: 'skipped_precondition' | 'skipped_not_allowed' | 'skipped_recovered' | 'skipped_no_rule', reason: string) =>
    decided({ decision, reason, source, rule: rule.name });
  if (!alarm.instanceId) return yield skip('skipped_precondition', 'The alarm names no DCS instance.');
  const allowed = isInstanceAllowed(policy, alarm.instanceId);
  if (!allowed.allowed) return yield skip('skipped_not_allowed', allowed.reason);
  if (alarm.status !== 'alarm') return yield skip('skipped_recovered', `Alarm status is "${alarm.status}": nothing to remediate.`);

  const dcs = inv.dcs(source);
  if (!dcs.ok) return yield dcs.error;
  const targets = await acting().targetsForAlarm({
    alarm: { ...alarm, instanceId: alarm.instanceId },
    rule,
    projectId: dcs.value.projectId,
    dcs: dcs.value,
    nodes: inv.container.nodes,
    callOptions: inv.budget.callOptions(),
  });
  if (!targets.ok) return yield skip(targets.decision, targets.reason);

  const plan = {
    source,
    rule: rule.name,
    action: rule.action,
    dryRunCause: dryRunCause(loaded.value, rule),
    dedupKey: dedupKeyOf(delivery, alarm),
    policy: executionPolicy(policy),
  };
  for (const target of targets.targets) yield { ...plan, target };
}

async function confirm(delivery: SmnDelivery, signed: SmnHttpMessage | null, inv: Invocation): Promise<Decision> {
  const source = sourceOf(delivery, null);
  if (!signed) {
    return decided({ decision: 'skipped_no_rule', reason: 'Subscription confirmations are only confirmed when delivered over HTTP(S) with a verified signature.', source });
  }
  const config = inv.container.smnAuth();
  if (!config.ok) return configFailure('SmnConfigInvalid', config.error.message, source);
  const result = await acting().confirmSubscription(signed, config.value, {});
  if (result.ok) {
    return decided({ decision: 'subscription_confirmed', reason: `Confirmed the subscription to ${delivery.topicUrn ?? 'the topic'}.`, source });
  }
  const error = result.error;
  // A Rejection (refused before any request) has a reason; an ErrorInfo (the GET failed) has a message.
  if ('reason' in error) return rejected(error, source);
  return decided({ decision: 'failed', reason: `Subscription confirmation failed: ${error.message}`, source, error }, 'retry');
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
