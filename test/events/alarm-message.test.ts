import { parseAlarmMessage, parseAlarmTime, type AlarmSignal } from '../../lib/events/alarm-message';
import { dcsDimensions, parseDimensionString } from '../../lib/events/dimensions';
import { REAL_ALARM_SIGNAL } from './support/fixtures';

const INSTANCE = '5e2b1c9a-7f3d-4d2e-9b8a-1c2d3e4f5a6b';
const NODE = '3f1e2d3c4b5a69788796a5b4c3d2e1f0';

const classic = (fields: Record<string, unknown> = {}): string =>
  JSON.stringify({
    message_type: 'alarm',
    alarm_id: 'al1732700000000AbCdEfGh1',
    alarm_name: 'dcs-connections-high',
    alarm_status: 'alarm',
    time: 1732700123456,
    namespace: 'SYS.DCS',
    metric_name: 'connections_usage',
    dimension: `dcs_instance_id:${INSTANCE}`,
    template_variable: { ResourceId: INSTANCE, Link: 'https://console.huaweicloud.com/ces/?region=cn-north-4#/alarm' },
    ...fields,
  });

/** REAL_ALARM's templated body (see REAL_ALARM_SIGNAL) around INSTANCE, with `data` changed. */
const templated = (data: Record<string, unknown> = {}): string =>
  JSON.stringify({
    version: 'v1',
    data: { IsAlarm: true, ResourceId: INSTANCE, AlarmRuleName: 'alarm-c5jj', AlarmRecordID: 'ah1748876175242njvndyzMZ', RegionId: 'cn-east-3', ...data },
  });

function alarmOf(message: string): AlarmSignal {
  const result = parseAlarmMessage(message);
  if (!result.ok || result.value.kind !== 'alarm') throw new Error(`expected an alarm, got ${JSON.stringify(result)}`);
  return result.value.alarm;
}

function rejectionOf(message: string): { status: number; code: string; reason: string } {
  const result = parseAlarmMessage(message);
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.value)}`);
  return result.error;
}

describe('parseDimensionString', () => {
  it.each([
    [`dcs_instance_id:${INSTANCE},dcs_cluster_redis_node:${NODE}`],
    [`dcs_instance_id:${INSTANCE};dcs_cluster_redis_node:${NODE}`],
    [`dcs_instance_id:${INSTANCE} dcs_cluster_redis_node:${NODE}`],
    [`  dcs_instance_id:${INSTANCE} , dcs_cluster_redis_node:${NODE}  `],
    [`dcs_instance_id : ${INSTANCE}; \t dcs_cluster_redis_node :${NODE};`],
    [`dcs_instance_id:${INSTANCE},;, dcs_cluster_redis_node:${NODE}`],
  ])('reads %j', (text) => {
    expect(parseDimensionString(text)).toEqual({
      ok: true,
      value: [
        { name: 'dcs_instance_id', value: INSTANCE },
        { name: 'dcs_cluster_redis_node', value: NODE },
      ],
    });
  });
  it('reads an empty string as no dimensions', () => {
    expect(parseDimensionString('  ')).toEqual({ ok: true, value: [] });
  });
  it.each([
    ['dcs_instance_id', /not one name:value pair/],
    ['dcs_instance_id:a:b', /not one name:value pair/],
    [':value', /not a dimension name/],
    ['1abc:x', /not a dimension name/],
    ['dcs_instance_id:', /empty or overlong value/],
    [`dcs_instance_id:${INSTANCE},dcs_instance_id:${INSTANCE}`, /appears twice/],
  ])('refuses %j', (text, reason) => {
    const result = parseDimensionString(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(reason);
  });
});

describe('dcsDimensions', () => {
  const dims = (text: string) => {
    const parsed = parseDimensionString(text);
    if (!parsed.ok) throw new Error(parsed.error);
    return dcsDimensions(parsed.value);
  };
  it.each(['dcs_cluster_redis_node', 'dcs_cluster_proxy_node', 'dcs_cluster_proxy2_node'])('finds the %s node', (name) => {
    expect(dims(`dcs_instance_id:${INSTANCE},${name}:${NODE}`)).toEqual({ ok: true, value: { instanceId: INSTANCE, node: { dimension: name, value: NODE } } });
  });
  it('reads a Memcached instance id too', () => {
    expect(dims(`dcs_memcached_instance_id:${INSTANCE}`)).toMatchObject({ ok: true, value: { instanceId: INSTANCE, node: null } });
  });
  it.each([
    ['dcs_instance_id:not-a-uuid', /not a UUID/],
    [`dcs_instance_id:${INSTANCE},dcs_cluster_redis_node:../../etc`, /not a node id/],
    [`dcs_instance_id:${INSTANCE},dcs_cluster_redis_node:10.0.0.1`, /not a node id/],
    [`dcs_instance_id:${INSTANCE},dcs_cluster_redis_node:a%2fb`, /not a node id/],
    [`dcs_instance_id:${INSTANCE},dcs_cluster_redis_node:${NODE},dcs_cluster_proxy_node:${NODE}`, /several node dimensions/],
    [`dcs_instance_id:${INSTANCE},dcs_memcached_instance_id:${INSTANCE}`, /both/],
  ])('refuses %j', (text, reason) => {
    const result = dims(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(reason);
  });
});

describe('parseAlarmMessage, classic format', () => {
  it('maps every decision field', () => {
    expect(alarmOf(classic())).toEqual({
      format: 'classic',
      alarmId: 'al1732700000000AbCdEfGh1',
      alarmName: 'dcs-connections-high',
      status: 'alarm',
      namespace: 'SYS.DCS',
      metric: 'connections_usage',
      instanceId: INSTANCE,
      node: null,
      dimensions: [{ name: 'dcs_instance_id', value: INSTANCE }],
      time: 1732700123456,
      region: 'cn-north-4',
      recordId: null,
    });
  });
  it.each(['alarm', 'ok', 'insufficient_data'])('reads alarm_status %s', (status) => {
    expect(alarmOf(classic({ alarm_status: status })).status).toBe(status);
  });
  it('finds a node alarm', () => {
    const alarm = alarmOf(classic({ dimension: `dcs_instance_id:${INSTANCE};dcs_cluster_proxy2_node:${NODE}` }));
    expect(alarm.node).toEqual({ dimension: 'dcs_cluster_proxy2_node', value: NODE });
  });
  it('falls back to template_variable.ResourceId for a DCS alarm without dimension', () => {
    expect(alarmOf(classic({ dimension: undefined })).instanceId).toBe(INSTANCE);
  });
  it('does not take ResourceId of another service as a DCS instance', () => {
    const alarm = alarmOf(classic({ namespace: 'SYS.ECS', dimension: 'instance_id:i-123', template_variable: { ResourceId: 'i-123' } }));
    expect(alarm).toMatchObject({ namespace: 'SYS.ECS', instanceId: null });
  });
  it.each([
    ['https://console.huaweicloud.com/ces/?region=cn-north-4#/alarm', 'cn-north-4'],
    ['https://console.huaweicloud.com/ces/?locale=en-us&region=ap-southeast-1#/x', 'ap-southeast-1'],
    ['https://console.huaweicloud.com/ces/?region=cn-north-4%0A#/x', null],
    ['https://console.huaweicloud.com/ces/?subregion=cn-north-4', null],
    ['https://console.huaweicloud.com/ces/#/alarm?region=cn-north-4', null],
    ['not a url', null],
  ])('reads the region of the console link %s as %j', (Link, region) => {
    expect(alarmOf(classic({ template_variable: { ResourceId: INSTANCE, Link } })).region).toBe(region);
  });
  it('prefers template_variable.RegionId to the link, and ignores an unusable one', () => {
    const link = 'https://console.huaweicloud.com/ces/?region=cn-north-4';
    expect(alarmOf(classic({ template_variable: { ResourceId: INSTANCE, RegionId: 'cn-east-3', Link: link } })).region).toBe('cn-east-3');
    expect(alarmOf(classic({ template_variable: { ResourceId: INSTANCE, RegionId: 'Bad Region', Link: link } })).region).toBe('cn-north-4');
  });
  it('tolerates unknown extra fields and an unusable time', () => {
    const alarm = alarmOf(classic({ time: 'soon', brand_new_field: { x: 1 } }));
    expect(alarm.time).toBeNull();
  });
  it('accepts a message without message_type when alarm_status is present', () => {
    expect(alarmOf(classic({ message_type: undefined })).format).toBe('classic');
  });
  it.each([
    [{ alarm_status: 'firing' }, 'message.alarm_status'],
    [{ alarm_status: undefined }, 'message.alarm_status'],
    [{ dimension: 'dcs_instance_id=abc' }, 'message.dimension'],
    [{ dimension: 'dcs_instance_id:abc' }, 'message.dimension'],
    [{ dimension: `dcs_instance_id:${INSTANCE},dcs_cluster_redis_node:a/b` }, 'message.dimension'],
    [{ dimension: undefined, template_variable: { ResourceId: '../x' } }, 'message.template_variable.ResourceId'],
    [{ alarm_id: 'al 1' }, 'message.alarm_id'],
    [{ alarm_name: 'x\ny' }, 'message.alarm_name'],
    [{ namespace: 'SYS DCS' }, 'message.namespace'],
    [{ metric_name: 'a/b' }, 'message.metric_name'],
  ])('rejects %j with 400 naming %s', (fields, field) => {
    const rejection = rejectionOf(classic(fields));
    expect(rejection).toMatchObject({ status: 400, code: 'invalid_alarm' });
    expect(rejection.reason.startsWith(`${field}:`)).toBe(true);
  });
});

describe('parseAlarmMessage, templated format', () => {
  it('maps IsAlarm, ResourceId, AlarmRuleName, AlarmRecordID, RegionId, AlarmTime', () => {
    expect(alarmOf(templated({ AlarmTime: '2025/06/02 22:56:15 GMT+08:00' }))).toEqual({ ...REAL_ALARM_SIGNAL, instanceId: INSTANCE });
  });
  it('prefers AlarmId over AlarmRecordID as the alarm id', () => {
    expect(alarmOf(templated({ AlarmId: 'al1' })).alarmId).toBe('al1');
  });
  it.each([
    [false, 'ok'],
    ['false', 'ok'],
    ['true', 'alarm'],
  ])('reads IsAlarm %j as %s', (isAlarm, status) => {
    expect(alarmOf(templated({ IsAlarm: isAlarm })).status).toBe(status);
  });
  it('never needs the localized display names', () => {
    expect(alarmOf(templated({ Namespace: undefined, MetricName: '每秒并发操作数', DimensionName: undefined })).instanceId).toBe(INSTANCE);
  });
  it('leaves instanceId null when ResourceId is not a UUID (not a DCS instance)', () => {
    expect(alarmOf(templated({ ResourceId: 'rds-instance-in01' })).instanceId).toBeNull();
  });
  it.each([
    [{ IsAlarm: 'maybe' }, 'message.data.IsAlarm'],
    [{ IsAlarm: undefined }, 'message.data.IsAlarm'],
    [{ AlarmRecordID: 'a b' }, 'message.data.AlarmRecordID'],
    [{ AlarmRuleName: 7 }, 'message.data.AlarmRuleName'],
  ])('rejects %j with 400 naming %s', (data, field) => {
    const rejection = rejectionOf(templated(data));
    expect(rejection).toMatchObject({ status: 400, code: 'invalid_alarm' });
    expect(rejection.reason.startsWith(`${field}:`)).toBe(true);
  });
});

describe('parseAlarmMessage, not an alarm', () => {
  it.each([
    ['plain text', 'You are invited to subscribe to topic'],
    ['a JSON string', '"hello"'],
    ['another service', '{"作业名称":"job","作业状态":"执行失败"}'],
    ['a CES event', '{"message_type":"event","alarm_status":"alarm"}'],
    ['version/data without alarm fields', '{"version":"v1","data":{"foo":1}}'],
  ])('%s → not_alarm', (_what, message) => {
    expect(parseAlarmMessage(message)).toMatchObject({ ok: true, value: { kind: 'not_alarm' } });
  });
  it('rejects hostile JSON rather than ignoring it', () => {
    expect(parseAlarmMessage('{"__proto__":{"alarm_status":"alarm"}}')).toMatchObject({ ok: false, error: { status: 400, code: 'forbidden_key' } });
    expect(parseAlarmMessage('['.repeat(100) + ']'.repeat(100))).toMatchObject({ ok: false, error: { code: 'too_deep' } });
  });
});

describe('parseAlarmTime', () => {
  it.each([
    ['2025/06/02 22:56:15 GMT+08:00', Date.parse('2025-06-02T14:56:15Z')],
    ['2025/06/02 22:56:15 GMT-03:30', Date.parse('2025-06-03T02:26:15Z')],
    ['2025/6/2 2:56:15 GMT+00:00', Date.parse('2025-06-02T02:56:15Z')],
    ['11 27, 2024 17:35:23 GMT+08:00', null],
    ['', null],
  ])('%j → %j', (text, expected) => {
    expect(parseAlarmTime(text)).toBe(expected);
  });
});
