/** The events the local gateway builds: the shapes of reference/events.md, read back by the real event readers. */
import { apigEvent, apigHeaders, smnTriggerEvent, timerEvent, type LocalDeployment } from '../../dev/runner/events';

const deployment: LocalDeployment = { projectId: '0b8f4a2e5c6d47e1a9b3c8d7e6f5a4b3', region: 'cn-north-4', apiId: 'local-gateway', alarmFunction: 'dcs-session-guard-alarm' };

describe('local gateway events', () => {
  it('APIG: body base64 (isBase64Encoded), headers lower-cased, request context, first query value', () => {
    const body = Buffer.from('{"type":"Notification","message":"héllo"}');
    const event = apigEvent(
      {
        method: 'POST',
        path: '/cloudeye',
        query: new URLSearchParams('a=1&a=2&b=x'),
        headers: { 'Content-Type': 'application/json', 'x-smn-message-type': 'Notification', 'x-multi': ['1', '2'] } as any,
        body,
      },
      deployment,
    );
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body!, 'base64').equals(body)).toBe(true);
    expect(event.headers).toEqual({ 'content-type': 'application/json', 'x-smn-message-type': 'Notification', 'x-multi': '1,2' });
    expect(event.queryStringParameters).toEqual({ a: '1', b: 'x' });
    expect(event).toMatchObject({ httpMethod: 'POST', path: '/cloudeye', pathParameters: {}, requestContext: { apiId: 'local-gateway', stage: 'RELEASE' } });
    expect(event.requestContext!.requestId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('SMN trigger: the posted message as-is inside record[0].smn, a fresh message id unless one is given', () => {
    const now = new Date('2026-01-02T03:04:05.000Z');
    const message = '{"alarm_status": "alarm"}';
    const a = smnTriggerEvent({ message, topicUrn: 'urn:smn:cn-north-4:p:t', now }, deployment);
    const b = smnTriggerEvent({ message, topicUrn: 'urn:smn:cn-north-4:p:t', now, messageId: 'fixed' }, deployment);
    expect(a.record).toHaveLength(1);
    expect(a.record[0]).toMatchObject({
      event_source: 'smn',
      event_version: '1.0',
      smn: { message, topic_urn: 'urn:smn:cn-north-4:p:t', timestamp: '2026-01-02T03:04:05.000Z', type: 'notification', message_attributes: null },
    });
    expect(a.record[0]!.event_subscription_urn).toBe('urn:fss:cn-north-4:0b8f4a2e5c6d47e1a9b3c8d7e6f5a4b3:function:default:dcs-session-guard-alarm:latest');
    expect(a.record[0]!.smn.message_id).toMatch(/^[0-9a-f]{32}$/);
    expect(a.record[0]!.smn.message_id).not.toBe(smnTriggerEvent({ message, topicUrn: 'x', now }, deployment).record[0]!.smn.message_id);
    expect(b.record[0]!.smn.message_id).toBe('fixed');
  });

  it('timer: trigger_type TIMER and the schedule as JSON user_event', () => {
    const event = timerEvent('night shift', new Date('2026-01-02T03:00:00.000Z'));
    expect(event).toEqual({ version: 'v1.0', time: '2026-01-02T03:00:00.000Z', trigger_type: 'TIMER', trigger_name: 'local-night shift', user_event: '{"schedule":"night shift"}' });
  });

  it('skips absent headers', () => {
    expect(apigHeaders({ host: '127.0.0.1', 'x-none': undefined })).toEqual({ host: '127.0.0.1' });
  });
});
