/** The decision sinks: the audit line first and at once, later sinks in order, bounded, never in the way. */
import { DecisionSinks, auditLineSink, type AuditEntry, type DecisionSink, type SinkProblem } from '../../lib/audit';
import { Budget } from '../../lib/domain/budget';

const entry = (n: number): AuditEntry => ({ record: { type: 'audit', time: '', requestId: null, trigger: 'alarm', decision: 'executed', reason: `#${n}`, durationMs: 0 }, line: `line ${n}` });

function recorder(name: string, delayMs = 0): DecisionSink & { seen: string[] } {
  const seen: string[] = [];
  return {
    name,
    seen,
    write: async ({ record }) => {
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      seen.push(record.reason);
    },
  };
}

test('the audit line is written synchronously, before publish returns; later sinks see every decision in order', async () => {
  const lines: string[] = [];
  const slow = recorder('slow', 20);
  const fast = recorder('fast');
  const sinks = new DecisionSinks(auditLineSink((l) => lines.push(l)), [slow, fast], () => undefined);
  const budget = new Budget(Date.now() + 5_000);
  sinks.publish(entry(1), budget);
  expect(lines).toEqual(['line 1']);
  sinks.publish(entry(2), budget);
  expect(lines).toEqual(['line 1', 'line 2']);
  expect(slow.seen).toEqual([]);
  await sinks.drain(budget);
  expect(slow.seen).toEqual(['#1', '#2']);
  expect(fast.seen).toEqual(['#1', '#2']);
});

test('a failing sink is reported and does not stop the ones after it, nor its own next decision', async () => {
  const problems: SinkProblem[] = [];
  let calls = 0;
  const flaky: DecisionSink = {
    name: 'flaky',
    write: async () => {
      calls += 1;
      if (calls === 1) throw new Error('503 from the webhook');
    },
  };
  const after = recorder('after');
  const sinks = new DecisionSinks(auditLineSink(() => undefined), [flaky, after], (p) => problems.push(p));
  const budget = new Budget(Date.now() + 5_000);
  sinks.publish(entry(1), budget);
  sinks.publish(entry(2), budget);
  await sinks.drain(budget);
  expect(calls).toBe(2);
  expect(after.seen).toEqual(['#1', '#2']);
  expect(problems).toEqual([{ sink: 'flaky', problem: 'failed', message: '503 from the webhook' }]);
});

test('drain returns at the deadline and reports the sink still running', async () => {
  const problems: SinkProblem[] = [];
  const hanging: DecisionSink = { name: 'hanging', write: () => new Promise<void>(() => undefined) };
  const sinks = new DecisionSinks(auditLineSink(() => undefined), [hanging], (p) => problems.push(p));
  const budget = new Budget(Date.now() + 100);
  sinks.publish(entry(1), budget);
  await sinks.drain(budget);
  expect(problems).toEqual([expect.objectContaining({ sink: 'hanging', problem: 'late' })]);
});

test('flush runs after the last write, within the budget', async () => {
  const order: string[] = [];
  const batching: DecisionSink = {
    name: 'metrics',
    write: async ({ record }) => {
      order.push(`write ${record.reason}`);
    },
    flush: async () => {
      order.push('flush');
    },
  };
  const sinks = new DecisionSinks(auditLineSink(() => undefined), [batching], () => undefined);
  const budget = new Budget(Date.now() + 5_000);
  sinks.publish(entry(1), budget);
  sinks.publish(entry(2), budget);
  await sinks.drain(budget);
  expect(order).toEqual(['write #1', 'write #2', 'flush']);
});

test('when the policy turns no later sink on, a decision is drained at once, without waiting for anything', async () => {
  let asked = 0;
  const problems: SinkProblem[] = [];
  const sinks = new DecisionSinks(auditLineSink(() => undefined), () => (asked++, []), (p) => problems.push(p));
  // A deadline already past: a drain with something to wait for would report it late.
  const budget = new Budget(Date.now() - 1);
  sinks.publish(entry(1), budget);
  await sinks.drain(budget);
  expect([asked, problems]).toEqual([1, []]);
});

test('a rejected decision gets its audit line and nothing else: the later sinks are neither chosen nor written', async () => {
  const later = recorder('later');
  const lines: string[] = [];
  let asked = 0;
  const sinks = new DecisionSinks(auditLineSink((line) => lines.push(line)), () => (asked++, [later]), () => undefined);
  const budget = new Budget(Date.now() + 5_000);
  const rejected = entry(1);
  sinks.publish({ ...rejected, record: { ...rejected.record, decision: 'rejected' } }, budget);
  await sinks.drain(budget);
  expect([lines, asked, later.seen]).toEqual([['line 1'], 0, []]);
  sinks.publish(entry(2), budget);
  await sinks.drain(budget);
  expect([asked, later.seen]).toEqual([1, ['#2']]);
});
