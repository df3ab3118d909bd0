/** Every shared fixture parses as expected, through the same calls the handlers make. */
import { readAlarmEvent, toDelivery, type SmnDelivery } from '../../lib/events/alarm-event';
import { parseAlarmMessage, type ParsedMessage } from '../../lib/events/alarm-message';
import { readTimerEvent } from '../../lib/events/timer-event';
import { allFixtureNames, fixture, REAL_ALARM, REAL_ALARM_SIGNAL, REAL_CONFIRMATION, REAL_DATAARTS } from './support/fixtures';

const INSTANCE = '5e2b1c9a-7f3d-4d2e-9b8a-1c2d3e4f5a6b';

/** The deliveries of an alarm-handler fixture, whichever its form. */
function deliveriesOf(name: string): { form: string; deliveries: SmnDelivery[] } {
  const result = readAlarmEvent(fixture(name));
  if (!result.ok) throw new Error(`${name}: ${result.error.reason}`);
  const event = result.value;
  return { form: event.form, deliveries: event.form === 'smn-trigger' ? event.records : [toDelivery(event.message)] };
}

function parsedOf(name: string): ParsedMessage[] {
  return deliveriesOf(name).deliveries.map((d) => {
    const parsed = parseAlarmMessage(d.message);
    if (!parsed.ok) throw new Error(`${name}: ${parsed.error.reason}`);
    return parsed.value;
  });
}

const classicAlarm = (fields: Record<string, unknown>) => ({ kind: 'alarm', alarm: expect.objectContaining({ format: 'classic', namespace: 'SYS.DCS', instanceId: INSTANCE, ...fields }) });

describe('shared fixtures', () => {
  it('covers every fixture file', () => {
    expect(allFixtureNames().sort()).toEqual(
      [
        'apig.smn-notification.json',
        'smn-http.notification.json',
        'smn-http.subscription-confirmation.json',
        'smn-trigger.instance-alarm.json',
        'smn-trigger.node-alarm.json',
        'smn-trigger.recovered.json',
        'timer.nightly.json',
        REAL_ALARM,
        REAL_DATAARTS,
        REAL_CONFIRMATION,
      ].sort(),
    );
  });

  it('smn-trigger.instance-alarm: an instance alarm', () => {
    expect(deliveriesOf('smn-trigger.instance-alarm.json')).toMatchObject({
      form: 'smn-trigger',
      deliveries: [{ messageType: 'Notification', messageId: 'a51671f77d4a479cacb09e2cd591a983', via: 'smn-trigger' }],
    });
    expect(parsedOf('smn-trigger.instance-alarm.json')).toEqual([
      classicAlarm({ status: 'alarm', node: null, alarmName: 'dcs-connections-high', metric: 'connections_usage', alarmId: 'al1732700000000AbCdEfGh1' }),
    ]);
  });

  it('smn-trigger.node-alarm: a dcs_cluster_redis_node alarm', () => {
    expect(parsedOf('smn-trigger.node-alarm.json')).toEqual([
      classicAlarm({ status: 'alarm', node: { dimension: 'dcs_cluster_redis_node', value: '3f1e2d3c4b5a69788796a5b4c3d2e1f0' }, metric: 'connected_clients' }),
    ]);
  });

  it('smn-trigger.recovered: status ok', () => {
    expect(parsedOf('smn-trigger.recovered.json')).toEqual([classicAlarm({ status: 'ok' })]);
  });

  it('apig.smn-notification: base64 body holding the SMN notification', () => {
    const result = readAlarmEvent(fixture('apig.smn-notification.json'));
    expect(result).toMatchObject({
      ok: true,
      value: { form: 'apig', message: fixture('smn-http.notification.json'), headers: { 'content-type': 'application/json; charset=UTF-8' } },
    });
    expect(parsedOf('apig.smn-notification.json')).toEqual([classicAlarm({ status: 'alarm', region: 'cn-north-4' })]);
  });

  it('smn-http.notification: a bare SMN message', () => {
    expect(deliveriesOf('smn-http.notification.json')).toMatchObject({ form: 'smn-http', deliveries: [{ messageType: 'Notification', via: 'smn-http' }] });
    expect(parsedOf('smn-http.notification.json')).toEqual([classicAlarm({ status: 'alarm' })]);
  });

  it.each(['smn-http.subscription-confirmation.json', REAL_CONFIRMATION])('%s: a confirmation, its text not an alarm', (name) => {
    expect(deliveriesOf(name)).toMatchObject({ form: 'smn-http', deliveries: [{ messageType: 'SubscriptionConfirmation' }] });
    expect(parsedOf(name)).toEqual([{ kind: 'not_alarm', reason: 'message is not JSON' }]);
  });

  it('real Cloud Eye DCS alarm (templated body) maps to its instance', () => {
    expect(parsedOf(REAL_ALARM)).toEqual([{ kind: 'alarm', alarm: REAL_ALARM_SIGNAL }]);
  });

  it('real DataArts notification is not an alarm', () => {
    expect(parsedOf(REAL_DATAARTS)).toEqual([{ kind: 'not_alarm', reason: 'message is JSON but not a Cloud Eye alarm' }]);
  });

  it('timer.nightly: schedule "nightly"', () => {
    expect(readTimerEvent(fixture('timer.nightly.json'))).toEqual({
      ok: true,
      value: { schedule: 'nightly', triggerName: 'nightly-session-cleanup', time: '2024-11-28T03:00:00+08:00' },
    });
  });
});
