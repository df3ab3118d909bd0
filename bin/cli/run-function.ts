/**
 * Runs a built handler once on one event, in its own process with exactly the environment given
 * (the function host the local runner uses), and collects what it printed and returned.
 */
import { randomUUID } from 'node:crypto';
import { FunctionHost, type InvokeOutcome } from '../../dev/runner/function-host-client';
import { FUNCTION_NAMES, type FunctionKind } from '../../dev/runner/layout';
import type { Io } from './io';

/** serverless.yml gives the functions 60 s. */
const FUNCTION_TIMEOUT_MS = 60_000;

export interface FunctionRun {
  fn: FunctionKind;
  outcome: InvokeOutcome;
  /** Every line the function printed on stdout (audit and log JSON lines). */
  lines: string[];
  /** The decisions (audit records) it returned, from `{results}` or from an APIG body; null when there are none to read. */
  results: Array<Record<string, unknown>> | null;
  /** The HTTP status an APIG event got, else null. */
  statusCode: number | null;
}

export async function runFunctionOnce(io: Io, fn: FunctionKind, event: unknown, env: Record<string, string>): Promise<FunctionRun> {
  const lines: string[] = [];
  const host = new FunctionHost({
    name: fn,
    functionName: FUNCTION_NAMES[fn],
    bundle: io.layout.bundle(fn),
    hostScript: io.layout.functionHost,
    env,
    onLine: (text) => lines.push(text),
    onStderr: (text) => io.err(text.replace(/\n$/, '')),
  });
  try {
    const outcome = await host.invoke(event, { requestId: `cli-${randomUUID()}`, timeoutMs: FUNCTION_TIMEOUT_MS });
    return { fn, outcome, lines, ...readReturn(outcome) };
  } finally {
    await host.stop();
  }
}

function readReturn(outcome: InvokeOutcome): Pick<FunctionRun, 'results' | 'statusCode'> {
  if (outcome.kind !== 'returned' || typeof outcome.value !== 'object' || outcome.value === null) return { results: null, statusCode: null };
  const value = outcome.value as Record<string, unknown>;
  if (typeof value.statusCode === 'number') {
    return { results: resultsOf(parseBody(value)), statusCode: value.statusCode };
  }
  return { results: resultsOf(value), statusCode: null };
}

function parseBody(value: Record<string, unknown>): unknown {
  if (typeof value.body !== 'string') return null;
  const text = value.isBase64Encoded === true ? Buffer.from(value.body, 'base64').toString('utf8') : value.body;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function resultsOf(value: unknown): Array<Record<string, unknown>> | null {
  const results = (value as { results?: unknown } | null)?.results;
  return Array.isArray(results) ? (results.filter((r) => typeof r === 'object' && r !== null) as Array<Record<string, unknown>>) : null;
}

/** The function's environment: the user's, with the given overrides (undefined removes a variable). */
export function envWith(base: Io['env'], overrides: Record<string, string | undefined>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}
