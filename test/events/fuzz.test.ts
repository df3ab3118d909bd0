/**
 * Property-based fuzzing of the event readers with random and mutated
 * fixtures: they never throw, and every refusal is a well-formed Rejection.
 */
import fc from 'fast-check';
import { readAlarmEvent } from '../../lib/events/alarm-event';
import { parseAlarmMessage } from '../../lib/events/alarm-message';
import { readTimerEvent } from '../../lib/events/timer-event';
import type { Rejection, Result } from '../../lib/domain/types';
import { allFixtureNames, fixture } from './support/fixtures';

const STATUSES = [400, 401, 403, 405, 413, 415];

function expectWellFormed(result: Result<unknown, Rejection>): void {
  expect(typeof result.ok).toBe('boolean');
  if (!result.ok) {
    expect(STATUSES).toContain(result.error.status);
    expect(result.error.code).toMatch(/^[a-z0-9_]+$/);
    expect(result.error.reason.length).toBeGreaterThan(0);
    expect(result.error.reason.length).toBeLessThan(400);
  }
}

/** Replaces the value at a random path of a JSON value with `replacement`. */
function mutate(value: unknown, path: number[], replacement: unknown): unknown {
  if (path.length === 0 || value === null || typeof value !== 'object') return replacement;
  const [step, ...rest] = path;
  const keys = Object.keys(value);
  if (keys.length === 0) return replacement;
  const key = keys[step! % keys.length]!;
  const copy: Record<string, unknown> = Array.isArray(value) ? ([...value] as unknown as Record<string, unknown>) : { ...value };
  copy[key] = mutate((value as Record<string, unknown>)[key], rest, replacement);
  return copy;
}

const fixtures = allFixtureNames().map((name) => fixture<unknown>(name));
const mutatedFixture = fc
  .tuple(fc.constantFrom(...fixtures), fc.array(fc.nat(), { maxLength: 5 }), fc.jsonValue({ maxDepth: 3 }))
  .map(([base, path, replacement]) => mutate(base, path, replacement));

describe('fuzzing the event readers', () => {
  it('readAlarmEvent never throws on mutated fixtures', () => {
    fc.assert(fc.property(mutatedFixture, (event) => expectWellFormed(readAlarmEvent(event))), { numRuns: 3000 });
  });
  it('readAlarmEvent never throws on random values', () => {
    fc.assert(fc.property(fc.anything(), (event) => expectWellFormed(readAlarmEvent(event))), { numRuns: 2000 });
  });
  it('readAlarmEvent never throws on APIG events with random bodies and flags', () => {
    const apig = fc.record({
      httpMethod: fc.constantFrom('POST', 'GET', undefined),
      body: fc.oneof(fc.string(), fc.base64String(), fc.json(), fc.constant(null)),
      isBase64Encoded: fc.boolean(),
      headers: fc.dictionary(fc.constantFrom('content-type', 'x-smn-message-type', 'Content-Type'), fc.string()),
    });
    fc.assert(fc.property(apig, (event) => expectWellFormed(readAlarmEvent(event))), { numRuns: 2000 });
  });
  it('parseAlarmMessage never throws on mutated alarm messages', () => {
    const messages = fixtures.flatMap((f) => {
      const s = JSON.stringify(f);
      return [...s.matchAll(/"message":"((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
    });
    const mutatedMessage = fc
      .tuple(fc.constantFrom(...messages.filter((m) => m.startsWith('{'))), fc.array(fc.nat(), { maxLength: 4 }), fc.jsonValue({ maxDepth: 2 }))
      .map(([m, path, replacement]) => JSON.stringify(mutate(JSON.parse(m), path, replacement)));
    fc.assert(fc.property(fc.oneof(mutatedMessage, fc.string()), (m) => expectWellFormed(parseAlarmMessage(m))), { numRuns: 3000 });
  });
  it('readTimerEvent never throws', () => {
    const timer = fc.record({ trigger_name: fc.option(fc.string()), user_event: fc.oneof(fc.string(), fc.json(), fc.anything()) }, { requiredKeys: [] });
    fc.assert(fc.property(fc.oneof(timer, fc.anything()), (e) => expectWellFormed(readTimerEvent(e))), { numRuns: 2000 });
  });
});
