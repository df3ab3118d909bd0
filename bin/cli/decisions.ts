/** Showing a function run's decisions to a person, and the exit code they add up to. */
import { describeProblem, describeTarget, formatOutputLine, parseOutputLine } from '../../dev/runner/output-lines';
import { EXIT, type ExitCode, type Io } from './io';
import type { FunctionRun } from './run-function';

const FAILING = new Set(['failed', 'rejected']);

/** failed or rejected, or "executed" whose kill job ended FAIL: the sessions were not killed. */
function isFailure(result: Record<string, unknown>): boolean {
  const job = result.job as { status?: unknown } | undefined;
  return FAILING.has(String(result.decision)) || job?.status === 'FAIL';
}

export function exitCodeFor(run: FunctionRun): ExitCode {
  if (run.outcome.kind !== 'returned') return EXIT.CANNOT_RUN;
  if (run.results === null) return EXIT.CANNOT_RUN; // not the contract's answer: nothing to trust
  if (run.statusCode !== null && run.statusCode >= 400) return EXIT.DECISION_FAILED;
  return run.results.some(isFailure) ? EXIT.DECISION_FAILED : EXIT.OK;
}

/** Why the run produced no decisions to show, or null. */
export function runProblem(run: FunctionRun): string | null {
  switch (run.outcome.kind) {
    case 'returned':
      return run.results === null ? `the ${run.fn} function returned no {results: [...]}: ${JSON.stringify(run.outcome.value)?.slice(0, 300)}` : null;
    case 'threw':
      return `the ${run.fn} function threw: ${run.outcome.error}`;
    case 'timeout':
      return `the ${run.fn} function did not return within ${run.outcome.timeoutMs} ms`;
    case 'unavailable':
      return run.outcome.error;
  }
}

function cell(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '-' : JSON.stringify(value);
}

/** DECISION / TARGET / REASON, one row per decision; dry runs also show the request that was not sent. */
export function decisionTable(results: ReadonlyArray<Record<string, unknown>>): string {
  if (results.length === 0) return '(no decisions)';
  const rows = results.map((r) => [cell(r.decision), describeTarget(r.target), cell(r.reason)] as const);
  const width = (i: 0 | 1) => Math.max(i === 0 ? 'DECISION'.length : 'TARGET'.length, ...rows.map((row) => row[i].length));
  const [w0, w1] = [width(0), width(1)];
  const lines = [`${'DECISION'.padEnd(w0)}  ${'TARGET'.padEnd(w1)}  REASON`];
  results.forEach((r, i) => {
    const row = rows[i]!;
    lines.push(`${row[0].padEnd(w0)}  ${row[1].padEnd(w1)}  ${row[2]}`);
    const problem = describeProblem(r);
    if (problem !== '') lines.push(`${' '.repeat(w0 + 2)}${problem}`);
    const request = r.request as { method?: unknown; path?: unknown; body?: unknown } | undefined;
    if (request && typeof request.path === 'string') {
      lines.push(`${' '.repeat(w0 + 2)}would send ${cell(request.method)} ${request.path} ${JSON.stringify(request.body ?? {})}`);
    }
    lines.push(...precisionLines(r).map((line) => `${' '.repeat(w0 + 2)}${line}`));
  });
  return lines.join('\n');
}

interface PrecisionDetails {
  kind: 'kill-matching';
  nodes?: Array<{ nodeId?: unknown; scanned?: unknown; selected?: unknown; protected?: unknown; killed?: unknown; truncated?: unknown; error?: unknown }>;
  killed?: Array<{ addr?: unknown; name?: unknown; idle?: unknown; age?: unknown }>;
  more?: unknown;
}

/** A precision action: per node what was listed and chosen, then each session closed (or that would be). */
function precisionLines(r: Record<string, unknown>): string[] {
  const action = r.action as PrecisionDetails | undefined;
  if (action?.kind !== 'kill-matching') return [];
  const verb = r.decision === 'dry_run' ? 'would close' : 'closed';
  const lines = (action.nodes ?? []).map(
    (n) =>
      `node ${cell(n.nodeId)}: ${cell(n.scanned)} listed, ${cell(n.selected)} selected, ${cell(n.protected)} protected, ${cell(n.killed)} ${verb}` +
      `${n.truncated === true ? ' (capped or listing cut short)' : ''}${typeof n.error === 'string' ? `; ${n.error}` : ''}`,
  );
  for (const k of action.killed ?? []) lines.push(`  ${verb} ${cell(k.addr)}  name ${cell(k.name) || '-'}  idle ${cell(k.idle)} s  age ${cell(k.age)} s`);
  if (typeof action.more === 'number' && action.more > 0) lines.push(`  … and ${action.more} more`);
  return lines;
}

/** The function's log lines for a person (audit lines are already in the table). */
export function logLines(lines: readonly string[]): string[] {
  return lines.map(parseOutputLine).filter((l) => l.kind !== 'audit').map((l) => `[function] ${formatOutputLine(l)}`);
}

/** Prints a run for a person or a script, and returns its exit code. */
export function report(run: FunctionRun, io: Io, opts: { json: boolean; heading: string }): ExitCode {
  const problem = runProblem(run);
  if (opts.json) {
    run.lines.forEach((line) => io.err(line));
    if (problem !== null) io.err(`error: ${problem}`);
    else io.out(JSON.stringify(run.results, null, 2));
    return exitCodeFor(run);
  }
  logLines(run.lines).forEach((line) => io.err(line));
  if (problem !== null) {
    io.err(`error: ${problem}`);
    return exitCodeFor(run);
  }
  const status = run.statusCode === null ? '' : ` (HTTP ${run.statusCode})`;
  io.out(`${opts.heading}${status}: ${run.results!.length} decision${run.results!.length === 1 ? '' : 's'}`);
  io.out(decisionTable(run.results!));
  return exitCodeFor(run);
}
