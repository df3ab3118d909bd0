/**
 * The fuzz case generators of test/fuzz/handlers.test.ts, one per batch.
 * Every case carries what a correct function must do with it, judged
 * without asking lib/ (the oracle), so the test compares behaviour to an
 * expectation rather than to itself.
 */
import fc from 'fast-check';
import type { SmnHttpMessage } from '../../../lib/fg/types';
import { signSmn } from '../../auth/support/keys';
import { fixture } from '../../support/bundle';
import { INSTANCES } from '../../support/scenario';
import { delivered, type Delivery } from './apig';
import type { FuzzCase } from './batch';
import { alteredString, deepValue, hostileValue, hugeString, pollutingObject, replaceAt, setOwn, wrongType, type Json } from './mutate';
import { isIntact, OTHER_KEY, sameSignedContent, realBases, tampered, testAlarm, testConfirmation, TOPIC, type BaseKind, type Endpoints, type SignedBase } from './signed';

/** Fresh ids per case: unbiased, so thousands of cases never share one. */
const ids = fc.record({
  instanceId: fc.noBias(fc.uuid({ version: 4 })),
  messageId: fc.noBias(fc.stringMatching(/^[0-9a-f]{32}$/)),
  token: fc.noBias(fc.stringMatching(/^[0-9a-f]{32}$/)),
});

// ---- batch A: signed messages, intact or tampered ----

export interface SignedCase extends FuzzCase {
  base: SignedBase;
  delivery: Delivery;
  /** Intact and not refused at the HTTP level: the function must take it as authentic. */
  authentic: boolean;
}

export function signedCases(now: number, endpoints: Endpoints): fc.Arbitrary<SignedCase> {
  const reals = realBases();
  const signatures = reals.map((b) => b.message.signature!);
  const testBase = fc.tuple(fc.constantFrom<BaseKind>('test-alarm', 'test-alarm', 'test-alarm', 'test-confirm'), ids).map(([kind, id]): SignedBase => {
    const spec = { now, instanceId: id.instanceId, messageId: id.messageId, endpoints };
    return kind === 'test-alarm'
      ? { kind, message: testAlarm(spec), instanceId: id.instanceId, token: null }
      : { kind, message: testConfirmation(spec, id.token), instanceId: null, token: id.token };
  });
  const base = fc.oneof({ weight: 3, arbitrary: testBase }, { weight: 2, arbitrary: fc.constantFrom(...reals) });
  return base.chain((b) =>
    tampered(b.message, signatures, endpoints).chain((t) =>
      delivered(t.message).map((delivery): SignedCase => {
        const authentic = delivery.refusal === null && isIntact(delivery.effective, b.message);
        const label = `${b.kind}: ${t.what.join(', ') || 'intact'}; ${delivery.what}${delivery.refusal ? ` (refuse: ${delivery.refusal})` : ''}`;
        return { label, event: delivery.event, base: b, delivery, authentic };
      }),
    ),
  );
}

// ---- batch A2: correctly signed, but outside what the configuration allows ----

export type PolicyKind =
  | 'fresh alarm'
  | 'fresh confirmation'
  | 'stale'
  | 'future'
  | 'bad timestamp'
  | 'other topic'
  | 'no topic'
  | 'other key'
  | 'unsigned'
  | 'confirmation to a disallowed host'
  | 'confirmation over http'
  | 'confirmation with user info'
  | 'unsubscribe confirmation'
  | 'unsupported type';

/** What the function must answer to each kind (when the HTTP layer does not refuse first). */
export const POLICY_EXPECTATIONS: Record<PolicyKind, { status: number; decision: string }> = {
  'fresh alarm': { status: 200, decision: 'acts' },
  'fresh confirmation': { status: 200, decision: 'subscription_confirmed' },
  stale: { status: 401, decision: 'rejected' },
  future: { status: 401, decision: 'rejected' },
  'bad timestamp': { status: 401, decision: 'rejected' },
  'other topic': { status: 403, decision: 'rejected' },
  'no topic': { status: 403, decision: 'rejected' },
  'other key': { status: 401, decision: 'rejected' },
  unsigned: { status: 401, decision: 'rejected' },
  'confirmation to a disallowed host': { status: 403, decision: 'rejected' },
  'confirmation over http': { status: 403, decision: 'rejected' },
  'confirmation with user info': { status: 403, decision: 'rejected' },
  'unsubscribe confirmation': { status: 200, decision: 'skipped_no_rule' },
  'unsupported type': { status: 400, decision: 'rejected' },
};

export interface PolicyCase extends FuzzCase {
  kind: PolicyKind;
  instanceId: string;
  token: string;
  delivery: Delivery;
  /** The delivery changed the message itself (a duplicated key): then any refusal will do. */
  contentChanged: boolean;
}

export function policyCases(now: number, endpoints: Endpoints): fc.Arbitrary<PolicyCase> {
  const kind = fc.constantFrom(...(Object.keys(POLICY_EXPECTATIONS) as PolicyKind[]));
  const ageFor: Partial<Record<PolicyKind, fc.Arbitrary<number>>> = {
    stale: fc.integer({ min: 960, max: 10_000_000 }),
    future: fc.integer({ min: -10_000_000, max: -120 }),
  };
  return fc.tuple(kind, ids, fc.integer({ min: -30, max: 840 })).chain(([k, id, freshAge]) =>
    (ageFor[k] ?? fc.constant(freshAge)).chain((age) => {
      const message = policyMessage(k, { now, instanceId: id.instanceId, messageId: id.messageId, endpoints, ageSeconds: age }, id.token);
      return fc.constantFrom('yesterday', '2026-11-27 10:00:00', String(now), '2026-13-45T99:99:99Z').chain((badTs) => {
        const final = k === 'bad timestamp' ? resign({ ...message, timestamp: badTs }) : message;
        return delivered(final as unknown as Record<string, unknown>).map((delivery) => ({
          label: `${k}; ${delivery.what}${delivery.refusal ? ` (refuse: ${delivery.refusal})` : ''}`,
          event: delivery.event,
          kind: k,
          instanceId: id.instanceId,
          token: id.token,
          delivery,
          contentChanged: delivery.refusal === null && !sameSignedContent(delivery.effective, final),
        }));
      });
    }),
  );
}

/** Signed again after a change: the signature is valid, the content is what is wrong. */
function resign(msg: SmnHttpMessage): SmnHttpMessage {
  const { signature: _s, signature_version: _v, ...rest } = msg;
  return signSmn(rest as SmnHttpMessage);
}

function policyMessage(kind: PolicyKind, spec: Parameters<typeof testAlarm>[0], token: string): SmnHttpMessage {
  const origin = (o: string) => testConfirmation(spec, token, o);
  switch (kind) {
    case 'fresh alarm':
    case 'stale':
    case 'future':
    case 'bad timestamp':
      return testAlarm(spec);
    case 'fresh confirmation':
      return testConfirmation(spec, token);
    case 'other topic':
      return testAlarm({ ...spec, topic: 'urn:smn:cn-north-4:0b8f4a2e5c6d47e1a9b3c8d7e6f5a4b3:someone-elses-topic' });
    case 'no topic':
      return testAlarm({ ...spec, topic: null });
    case 'other key':
      return testAlarm({ ...spec, key: OTHER_KEY });
    case 'unsigned': {
      const { signature: _s, signature_version: _v, ...rest } = testAlarm(spec);
      return rest as SmnHttpMessage;
    }
    case 'confirmation to a disallowed host':
      return origin(spec.endpoints.evilOrigin);
    case 'confirmation over http':
      return origin(spec.endpoints.plainOrigin);
    case 'confirmation with user info':
      return origin(spec.endpoints.confirmOrigin.replace('https://', 'https://user:pw@'));
    case 'unsubscribe confirmation':
      return testConfirmation(spec, token, spec.endpoints.evilOrigin, 'UnsubscribeConfirmation');
    case 'unsupported type':
      return testConfirmation(spec, token, spec.endpoints.confirmOrigin, 'HttpSubscriptionUserConfirm');
  }
}

// ---- batch B: garbage ----

const randomBody = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('base64')),
  fc.json(),
  fc.jsonValue({ maxDepth: 4 }).map((v) => Buffer.from(JSON.stringify(v)).toString('base64')),
  hugeString,
  deepValue.map((v) => JSON.stringify(v)),
  pollutingObject.map((v) => JSON.stringify(v)),
  fc.constant(null),
);

const randomApig = fc.record(
  {
    httpMethod: fc.oneof(fc.constantFrom('POST', 'GET', 'post'), fc.string(), wrongType),
    headers: fc.oneof(fc.dictionary(fc.constantFrom('content-type', 'Content-Type', 'x-smn-message-type', 'x-smn-message-id', 'x-smn-topic-urn'), fc.oneof(fc.string(), wrongType)), wrongType),
    body: fc.oneof(randomBody, wrongType),
    isBase64Encoded: fc.oneof(fc.boolean(), wrongType),
    requestContext: fc.oneof(fc.constant({ requestId: 'x' }), wrongType),
  },
  { requiredKeys: [] },
);

const randomSmnTrigger = fc.record(
  {
    record: fc.oneof(
      fc.array(
        fc.record(
          {
            event_source: fc.oneof(fc.constant('smn'), fc.string()),
            smn: fc.oneof(
              fc.record({ message: fc.oneof(fc.string(), fc.json(), hugeString, deepValue.map((v) => JSON.stringify(v)), wrongType), type: fc.oneof(fc.string(), wrongType), message_id: fc.oneof(fc.string(), wrongType) }, { requiredKeys: [] }),
              wrongType,
            ),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 4 },
      ),
      fc.array(fc.constant({ smn: { message: '{}' } }), { minLength: 101, maxLength: 120 }),
      wrongType,
    ),
  },
  { requiredKeys: ['record'] },
);

const randomSmnMessage = fc.record(
  {
    type: fc.oneof(fc.constantFrom('Notification', 'SubscriptionConfirmation', 'notification'), fc.string(), wrongType),
    message: fc.oneof(fc.string(), fc.json(), wrongType),
    signature: fc.oneof(fc.base64String(), fc.string(), wrongType),
    signature_version: fc.oneof(fc.constant('v1'), fc.string()),
    topic_urn: fc.oneof(fc.constant(TOPIC), fc.string()),
    message_id: fc.oneof(fc.stringMatching(/^[0-9a-f]{32}$/), fc.string()),
    timestamp: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.string()),
    signing_cert_url: fc.oneof(fc.webUrl(), fc.string()),
    subscribe_url: fc.oneof(fc.webUrl(), fc.string()),
  },
  { requiredKeys: [] },
);

/**
 * An APIG event that also carries a trigger's `record` (a valid alarm on a
 * fresh instance): the platform never builds one, so nothing in it may be
 * taken as a platform-delivered, unsigned alarm.
 */
const apigWithRecord = fc.tuple(ids, randomApig).map(([id, apig]) => {
  const trigger = fixture('smn-trigger.instance-alarm.json');
  trigger.record[0].smn.message = trigger.record[0].smn.message.split(FIXTURE_INSTANCE).join(id.instanceId);
  return { label: `APIG event with a trigger record on ${id.instanceId}`, event: { httpMethod: 'POST', headers: {}, body: '{}', ...apig, record: trigger.record } };
});

export const garbageAlarmEvents: fc.Arbitrary<FuzzCase> = fc.oneof(
  apigWithRecord,
  fc.anything({ maxDepth: 4 }).map((event) => ({ label: 'anything', event })),
  randomApig.map((event) => ({ label: 'random APIG event', event })),
  randomSmnTrigger.map((event) => ({ label: 'random SMN trigger event', event })),
  randomSmnMessage.map((event) => ({ label: 'random SMN message', event })),
  deepValue.map((event) => ({ label: 'deep event', event })),
  pollutingObject.map((event) => ({ label: 'polluting event', event })),
);

export const garbageTimerEvents: fc.Arbitrary<FuzzCase> = fc.oneof(
  fc.anything({ maxDepth: 4 }).map((event) => ({ label: 'anything', event })),
  fc
    .record(
      {
        version: fc.oneof(fc.string(), wrongType),
        time: fc.oneof(fc.string(), wrongType),
        trigger_type: fc.oneof(fc.constantFrom('TIMER', 'timer'), fc.string(), wrongType),
        trigger_name: fc.oneof(fc.string(), wrongType, hugeString),
        user_event: fc.oneof(fc.string(), fc.json(), hugeString, deepValue.map((v) => JSON.stringify(v)), pollutingObject.map((v) => JSON.stringify(v)), wrongType),
      },
      { requiredKeys: [] },
    )
    .map((event) => ({ label: 'random timer event', event })),
  deepValue.map((event) => ({ label: 'deep event', event })),
);

// ---- batch C: SMN trigger events (unsigned by design) with mutated alarms ----

const FIXTURE_INSTANCE = INSTANCES.shop;
const TRIGGER_FIXTURES = ['smn-trigger.instance-alarm.json', 'smn-trigger.node-alarm.json', 'smn-trigger.recovered.json'];

export interface TriggerCase extends FuzzCase {
  /** The instance the alarm was aimed at before any mutation. */
  instanceId: string;
  intact: boolean;
  fixtureName: string;
}

/** Alarm message texts to start from: the three trigger fixtures and the real (templated) alarm. */
function alarmTemplates(): Array<{ name: string; message: string; instanceId: string }> {
  const fromTrigger = TRIGGER_FIXTURES.map((name) => ({ name, message: fixture(name).record[0].smn.message as string, instanceId: FIXTURE_INSTANCE }));
  const real = fixture('real/cloudeye-dcs-alarm.cn-north-4.2025-06-02.json');
  return [...fromTrigger, { name: 'real templated alarm', message: real.message, instanceId: '3dc7b9ea-70b4-4c38-942d-e2636e6d844c' }];
}

function messageMutation(message: string, instanceId: string): fc.Arbitrary<{ text: string; what: string }> {
  const parsed = JSON.parse(message) as Record<string, unknown>;
  const at = (what: string, arb: fc.Arbitrary<unknown>) => arb.map((text) => ({ text: String(text), what }));
  const set = (key: string, value: unknown) => {
    const copy = { ...parsed };
    if (value === undefined) delete copy[key];
    else setOwn(copy, key, value);
    return JSON.stringify(copy);
  };
  const fields = Object.keys(parsed);
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant({ text: message, what: 'intact' }) },
    {
      weight: 4,
      arbitrary: fc
        .tuple(fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), fc.constantFrom(...fields))
        .chain(([path, key]) => hostileValue(parsed[key]).map((v) => ({ text: JSON.stringify(replaceAt(parsed, path, v)), what: `value at ${path.join('.')} hostile` }))),
    },
    {
      weight: 3,
      arbitrary: fc.oneof(
        at('alarm_status changed', fc.constantFrom('ok', 'insufficient_data', 'ALARM', '', 1, null, undefined).map((v) => set('alarm_status', v))),
        at('namespace changed', fc.constantFrom('SYS.ECS', 'sys.dcs', '', '../SYS.DCS').map((v) => set('namespace', v))),
        at('metric changed', fc.constantFrom('memory_usage', 'connections_usage ', 'CONNECTIONS_USAGE').map((v) => set('metric_name', v))),
        at(
          'dimension injected',
          fc
            .constantFrom(`../../${instanceId}`, `${instanceId}/../x`, `${instanceId}%2Fclients`, `${instanceId}?a=1`, `${instanceId},dcs_instance_id:${FIXTURE_INSTANCE}`, ` ${instanceId}`, `${instanceId}\n`, instanceId.toUpperCase())
            .map((v) => set('dimension', `dcs_instance_id:${v}`)),
        ),
        at('node dimension injected', fc.constantFrom('../../x', 'abc/def', '%2e%2e', 'a'.repeat(65), '').map((v) => set('dimension', `dcs_instance_id:${instanceId},dcs_cluster_redis_node:${v}`))),
        at('polluting key', fc.constantFrom('__proto__', 'constructor', 'prototype').map((k) => set(k, { alarm_status: 'alarm' }))),
        at('not JSON', fc.oneof(fc.string(), alteredString(message))),
        at('huge', hugeString.map((h) => set('alarm_name', h))),
        at('deep', deepValue.map((v) => JSON.stringify(v))),
        at('wrong type', wrongType.map((v) => JSON.stringify(v))),
      ),
    },
  );
}

type Rec = Record<string, any>;

function eventMutation(event: Rec): fc.Arbitrary<{ event: Rec; what: string }> {
  const record = event.record[0] as Rec;
  const withSmn = (patch: (smn: Rec) => void) => {
    const smn = { ...record.smn };
    patch(smn);
    return { ...event, record: [{ ...record, smn }] };
  };
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant({ event, what: 'one record' }) },
    fc.integer({ min: 2, max: 3 }).map((n) => ({ event: { ...event, record: Array.from({ length: n }, () => record) }, what: `record x${n}` })),
    fc.constantFrom('SubscriptionConfirmation', 'UnsubscribeConfirmation', 'NOTIFICATION', 'Bogus').map((t) => ({ event: withSmn((s) => (s.type = t)), what: `smn.type ${t}` })),
    fc.oneof(wrongType, fc.string(), fc.constant(undefined)).map((v) => ({ event: withSmn((s) => (v === undefined ? delete s.message_id : (s.message_id = v))), what: 'message_id hostile' })),
    fc.oneof(wrongType, fc.string()).map((v) => ({ event: withSmn((s) => (s.topic_urn = v)), what: 'topic_urn hostile' })),
    fc.oneof(wrongType, fc.string()).map((v) => ({ event: { ...event, record: [{ ...record, event_source: v }] }, what: 'event_source hostile' })),
    pollutingObject.map((p) => ({ event: { ...event, ...(p as Rec) }, what: 'polluting key beside record' })),
  );
}

export function triggerCases(deniedInstances: readonly string[]): fc.Arbitrary<TriggerCase> {
  const templates = alarmTemplates();
  const target = fc.oneof(
    { weight: 8, arbitrary: ids.map((id) => id.instanceId) },
    { weight: 1, arbitrary: fc.constant(FIXTURE_INSTANCE) },
    { weight: 1, arbitrary: fc.constantFrom(...deniedInstances) },
  );
  return fc.tuple(fc.constantFrom(...templates), target, ids).chain(([template, instanceId, id]) => {
    const aimed = template.message.split(template.instanceId).join(instanceId);
    return messageMutation(aimed, instanceId).chain((m) => {
      const event = fixture('smn-trigger.instance-alarm.json');
      event.record[0].smn.message = m.text;
      event.record[0].smn.message_id = id.messageId;
      return eventMutation(event).map(
        (e): TriggerCase => ({
          label: `${template.name} on ${instanceId === FIXTURE_INSTANCE ? 'shop' : deniedInstances.includes(instanceId) ? 'denied' : 'fresh'} instance: ${m.what}; ${e.what}`,
          event: e.event,
          instanceId,
          intact: m.what === 'intact' && e.what === 'one record',
          fixtureName: template.name,
        }),
      );
    });
  });
}

// ---- batch D: timer events ----

export interface TimerCase extends FuzzCase {
  schedule: string | null;
}

export function timerCases(scheduleNames: readonly string[]): fc.Arbitrary<TimerCase> {
  const base = fixture('timer.nightly.json') as Rec;
  const name = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...scheduleNames) },
    { weight: 1, arbitrary: fc.constantFrom('weekly-unknown', '../../etc', 'nightly\n', 'NIGHTLY', '', ' ', 'a'.repeat(65), 'constructor', '__proto__', 'toString', 'hasOwnProperty') },
  );
  const userEvent = fc.oneof(
    name.map((n) => ({ value: JSON.stringify({ schedule: n }), schedule: n })),
    name.map((n) => ({ value: n, schedule: n })),
    name.map((n) => ({ value: JSON.stringify(n), schedule: n })),
    fc.constantFrom('', undefined).map((v) => ({ value: v, schedule: null })),
    fc.oneof(hugeString, deepValue.map((v) => JSON.stringify(v)), pollutingObject.map((v) => JSON.stringify({ schedule: 'nightly', ...(v as Rec) })), fc.json()).map((v) => ({ value: v, schedule: null })),
    wrongType.map((v) => ({ value: v, schedule: null })),
  );
  return fc
    .record({
      userEvent,
      triggerName: fc.oneof(fc.constant(base.trigger_name), name, wrongType),
      time: fc.oneof(fc.noBias(fc.date({ min: new Date('2024-01-01'), max: new Date('2030-01-01'), noInvalidDate: true })).map((d) => d.toISOString()), fc.constant(base.time), wrongType),
      triggerType: fc.oneof({ weight: 5, arbitrary: fc.constant('TIMER') }, { weight: 1, arbitrary: fc.oneof(fc.constantFrom('timer', 'APIG'), wrongType) }),
      extra: fc.oneof(fc.constant({}), pollutingObject, fc.record({ version: fc.oneof(fc.string(), wrongType) })),
    })
    .map(({ userEvent: u, triggerName, time, triggerType, extra }) => {
      const event: Rec = { ...base, trigger_name: triggerName, time, trigger_type: triggerType, ...(extra as Rec) };
      if (u.value === undefined) delete event.user_event;
      else event.user_event = u.value;
      const schedule = u.schedule ?? (typeof triggerName === 'string' ? triggerName : null);
      return { label: `user_event ${JSON.stringify(u.value)?.slice(0, 60)}, trigger_name ${JSON.stringify(triggerName)?.slice(0, 40)}, trigger_type ${JSON.stringify(triggerType)}`, event, schedule };
    });
}

export type { Json };
