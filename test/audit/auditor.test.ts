import { Auditor } from '../../lib/audit';
import { redact } from '../../lib/audit/redact';

function auditor(secrets: string[] = []) {
  const lines: string[] = [];
  let clock = 1_000;
  const a = new Auditor({ trigger: 'alarm', requestId: 'req-1', publish: ({ line }) => lines.push(line), secrets, now: () => (clock += 5) });
  return { a, lines };
}

test('one JSON line per decision, contract fields first, the same object kept for results', () => {
  const { a, lines } = auditor();
  const finish = a.begin();
  const record = finish({ sessions: { count: 1 }, decision: 'skipped_no_rule', reason: 'No rule.', rule: 'r' });
  expect(lines).toHaveLength(1);
  expect(JSON.parse(lines[0]!)).toEqual(record);
  expect(Object.keys(record)).toEqual(['type', 'time', 'requestId', 'trigger', 'decision', 'reason', 'durationMs', 'rule', 'sessions']);
  expect(record).toMatchObject({ type: 'audit', requestId: 'req-1', trigger: 'alarm', durationMs: 5 });
  expect(a.records).toEqual([record]);
});

test('a decision is audited once', () => {
  const { a } = auditor();
  const finish = a.begin();
  finish({ decision: 'rejected', reason: 'bad' });
  expect(() => finish({ decision: 'rejected', reason: 'again' })).toThrow(/once/);
});

test('known secrets are masked wherever a bug would put them', () => {
  const secret = 'sk-THIS-MUST-NOT-LEAK-1234';
  const { a, lines } = auditor([secret, 'short']);
  a.record({ decision: 'failed', reason: `boom ${secret}`, error: { code: 'x', message: `auth ${secret} failed`, httpStatus: null, requestId: null } });
  expect(lines[0]).not.toContain(secret);
  expect(lines[0]).toContain('***');
  // Values too short to be credentials are not masked (they would match by chance).
  expect(redact({ v: 'short' }, ['short'])).toEqual({ v: 'short' });
});
