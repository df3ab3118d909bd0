/**
 * Regression tests for what the fuzzing of the built handlers found
 * (test/fuzz/handlers.test.ts), each pinned down as a plain example.
 */
import { readAlarmEvent } from '../../lib/events/alarm-event';
import { fixture } from '../support/bundle';
import { instanceAlarmOn, Scenario } from '../support/scenario';

describe('an event with a trigger `record` beside APIG or SMN message fields', () => {
  // Found by batch B: such an APIG event was read as a platform-delivered trigger event,
  // i.e. trusted without a signature, and acted on.
  const { record } = instanceAlarmOn('0a1b2c3d-0000-4000-8000-0000000000aa', 'f0000000000000000000000000000aaa');

  test.each([
    ['an APIG event', { ...fixture('apig.smn-notification.json'), record }],
    ['an APIG event with only a body', { body: '{}', record }],
    ['a bare SMN message', { type: 'Notification', message: '{}', record }],
  ])('%s is refused as ambiguous (400), never read as a trigger event', (_label, event) => {
    expect(readAlarmEvent(event)).toEqual({ ok: false, error: expect.objectContaining({ status: 400, code: 'ambiguous_event' }) });
  });

  test('a pure trigger event is still read as one', () => {
    expect(readAlarmEvent({ record })).toMatchObject({ ok: true, value: { form: 'smn-trigger' } });
  });

  test('through the built bundle: 400 in APIG shape, rejected, no DCS request', async () => {
    const s = await Scenario.start();
    try {
      const run = await s.invoke('alarm', [{ ...fixture('apig.smn-notification.json'), record }]);
      expect(run.results[0]).toEqual({ ok: true, value: expect.objectContaining({ statusCode: 400, isBase64Encoded: false }) });
      expect(run.audit.map((r) => r.decision)).toEqual(['rejected']);
      expect(s.emulator.requests).toHaveLength(0);
    } finally {
      await s.close();
    }
  });
});
