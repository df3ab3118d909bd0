/**
 * Runs thousands of fuzz cases through a BUILT bundle in ONE child process
 * (test/support/bundle.ts), then checks every case against the contract and
 * ties each audit line back to its case through the request id the context
 * gives it ("fuzz-<index>").
 */
import type { FunctionName } from '../../support/bundle';
import type { Scenario } from '../../support/scenario';
import { auditRecordProblems, recordsOf } from './contract';

export interface FuzzCase {
  /** What the generator did, e.g. "real-alarm: message altered, apig base64". */
  label: string;
  event: unknown;
}

export interface CaseOutcome<C extends FuzzCase> {
  index: number;
  case: C;
  records: Array<Record<string, any>>;
  /** The raw handler return value. */
  value: any;
}

export interface BatchRun<C extends FuzzCase> {
  outcomes: Array<CaseOutcome<C>>;
  /** Contract violations, one line each, naming the case. */
  violations: string[];
  stdout: string;
}

export interface BatchOptions {
  env?: Record<string, string | undefined>;
  concurrency?: number;
}

const REQUEST_ID = 'fuzz';
/** Longest acceptable output line (an audit record with a session snapshot is ~1-2 KiB). */
const MAX_LINE_CHARS = 8 * 1024;

/** Invokes `fn` with every case's event and checks the answers' shape and audit trail. */
export async function runBatch<C extends FuzzCase>(s: Scenario, fn: FunctionName, cases: C[], opts: BatchOptions = {}): Promise<BatchRun<C>> {
  const run = await s.invoke(
    fn,
    cases.map((c) => c.event),
    { env: opts.env ?? {}, context: { requestId: REQUEST_ID }, concurrency: opts.concurrency ?? 4 },
  );
  const trigger = fn === 'alarm' ? 'alarm' : 'timer';
  const violations: string[] = [];
  if (run.exitCode !== 0) violations.push(`child exited ${run.exitCode}: ${run.stderr.slice(0, 500)}`);
  if (run.results.length !== cases.length) violations.push(`${run.results.length} results for ${cases.length} events`);

  const auditByCase = groupAuditLines(run.audit, violations);
  // Hostile input must not turn into hostile log volume: every line stays small.
  for (const line of run.stdout.split('\n')) {
    if (line.length > MAX_LINE_CHARS) violations.push(`an output line of ${line.length} characters: ${line.slice(0, 200)}`);
  }
  const outcomes = cases.map((c, index): CaseOutcome<C> => {
    const problems: string[] = [];
    const result = run.results[index];
    let records: Array<Record<string, any>> = [];
    if (result === undefined || !result.ok) {
      problems.push(`exception escaped: ${result ? result.error.slice(0, 300) : 'no result'}`);
    } else {
      records = recordsOf(c.event, result.value, trigger, problems);
      if (records.length === 0) problems.push('no audit record');
      records.forEach((r, k) => auditRecordProblems(r, trigger).forEach((p) => problems.push(`record ${k}: ${p}`)));
      if (records.some((r) => r.requestId !== `${REQUEST_ID}-${index}`)) problems.push('a record carries another request id');
      // The handler's safety net turns exceptions into InternalError records: each one is a bug it caught.
      records.filter((r) => r.error?.code === 'InternalError').forEach((r) => problems.push(`internal error caught by the safety net: ${r.reason}`));
      const printed = (auditByCase.get(index) ?? []).map((l) => JSON.stringify(l));
      const returned = records.map((r) => JSON.stringify(r));
      if (printed.sort().join('\n') !== returned.sort().join('\n')) {
        problems.push(`${printed.length} audit lines printed for ${returned.length} records returned (or they differ)`);
      }
    }
    problems.forEach((p) => violations.push(`#${index} [${c.label}] ${p}`));
    return { index, case: c, records, value: result?.ok ? result.value : undefined };
  });
  return { outcomes, violations, stdout: run.stdout };
}

function groupAuditLines(audit: Array<Record<string, any>>, violations: string[]): Map<number, Array<Record<string, any>>> {
  const byCase = new Map<number, Array<Record<string, any>>>();
  for (const line of audit) {
    const match = typeof line.requestId === 'string' ? /^fuzz-(\d+)$/.exec(line.requestId) : null;
    if (!match) {
      violations.push(`audit line without a case request id: ${JSON.stringify(line).slice(0, 200)}`);
      continue;
    }
    const index = Number(match[1]);
    byCase.set(index, [...(byCase.get(index) ?? []), line]);
  }
  return byCase;
}

/** A readable failure: how many violations, the first few, and the seed that reproduces them. */
export function report(violations: string[], seed: number): string {
  if (violations.length === 0) return '';
  const shown = violations.slice(0, 15).join('\n  ');
  return `${violations.length} violation(s), seed ${seed} (FUZZ_SEED=${seed} replays):\n  ${shown}`;
}

/** The seed of this run: FUZZ_SEED, else a fixed default so CI runs are reproducible. */
export function fuzzSeed(offset: number): number {
  const base = Number(process.env.FUZZ_SEED ?? 20261127);
  return (Number.isSafeInteger(base) ? base : 20261127) + offset;
}
