import { readTimerEvent } from '../../lib/events/timer-event';

const timer = (fields: Record<string, unknown>) => ({ version: 'v2.0', time: '2024-11-28T03:00:00+08:00', trigger_type: 'TIMER', trigger_name: 'nightly-cleanup', ...fields });

describe('readTimerEvent', () => {
  it.each([
    ['JSON object', '{"schedule": "nightly"}', 'nightly'],
    ['JSON object with extra fields', '{"schedule":"weekly.sunday","note":"x"}', 'weekly.sunday'],
    ['JSON string', '"hourly_1"', 'hourly_1'],
    ['bare name', 'nightly', 'nightly'],
    ['bare name with spaces around', '  nightly \n', 'nightly'],
  ])('reads the schedule from a %s user_event', (_what, userEvent, schedule) => {
    expect(readTimerEvent(timer({ user_event: userEvent }))).toEqual({
      ok: true,
      value: { schedule, triggerName: 'nightly-cleanup', time: '2024-11-28T03:00:00+08:00' },
    });
  });
  it.each([undefined, '', '   ', null])('falls back to trigger_name when user_event is %j', (userEvent) => {
    expect(readTimerEvent(timer({ user_event: userEvent }))).toMatchObject({ ok: true, value: { schedule: 'nightly-cleanup' } });
  });
  it('never checks version', () => {
    expect(readTimerEvent(timer({ version: 'v99', user_event: 'x' })).ok).toBe(true);
  });
  it('reports null for absent trigger_name and time', () => {
    expect(readTimerEvent({ user_event: 'nightly' })).toEqual({ ok: true, value: { schedule: 'nightly', triggerName: null, time: null } });
  });
  it.each([
    [timer({ user_event: '{"schedule":"../etc"}' }), 'user_event.schedule:'],
    [timer({ user_event: '{"schedule":7}' }), 'user_event.schedule:'],
    [timer({ user_event: '{"other":"x"}' }), 'user_event.schedule:'],
    [timer({ user_event: '{"schedule":' }), 'user_event: invalid JSON at position 12'],
    [timer({ user_event: 'two words' }), 'user_event:'],
    [timer({ user_event: 'x'.repeat(65) }), 'user_event:'],
    [timer({ user_event: '{"__proto__":{"schedule":"x"}}' }), 'user_event: forbidden key'],
    [timer({ user_event: 42 }), 'user_event:'],
    [timer({ user_event: undefined, trigger_name: 'bad name!' }), 'trigger_name:'],
    [timer({ trigger_type: 'APIG', user_event: 'x' }), 'trigger_type:'],
    [{ user_event: '' }, 'user_event: is empty and there is no trigger_name'],
    ['nightly', '(root):'],
  ])('refuses %j naming the field', (event, reason) => {
    const result = readTimerEvent(event);
    expect(result).toMatchObject({ ok: false, error: { status: 400 } });
    if (!result.ok) expect(result.error.reason.startsWith(reason)).toBe(true);
  });
  it('refuses an oversized user_event with 413', () => {
    expect(readTimerEvent(timer({ user_event: `{"schedule":"x","pad":"${'a'.repeat(5000)}"}` }))).toMatchObject({ ok: false, error: { status: 413 } });
  });
});
