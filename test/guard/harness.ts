/** Runs guard sequences against a store and opens stores for tests. */
import { randomUUID } from 'node:crypto';
import { createGuardStore } from '../../lib/guard';
import type { GuardRequest, GuardStore, Lease } from '../../lib/guard/types';
import { BASE_SETTINGS, summarize, T0, targetOf, type CheckStep, type Expected, type Sequence } from './sequences';

export interface StepResult {
  step: number;
  got: ReturnType<typeof summarize>;
  cooldownUntil?: number;
}

export function requestOf(step: CheckStep): GuardRequest {
  return {
    target: targetOf(step.check),
    dedupKey: step.dedup ?? null,
    dryRun: step.dryRun ?? false,
    now: T0 + step.at,
    settings: { ...BASE_SETTINGS, ...step.settings },
  };
}

/**
 * Every check's verdict in short form; settles use the lease of the step they name.
 * Table sequences must only settle checks that proceeded (strict); random ones skip the others.
 */
export async function runSequence(store: GuardStore, sequence: Sequence, strict = true): Promise<StepResult[]> {
  const leases = new Map<number, Lease>();
  const results: StepResult[] = [];
  for (const [index, step] of sequence.steps.entries()) {
    if ('settle' in step) {
      const lease = leases.get(step.settle);
      if (lease) await store.settle(lease, step.outcome);
      else if (strict) throw new Error(`step ${index} settles step ${step.settle}, which holds no lease`);
      continue;
    }
    const verdict = await store.check(requestOf(step));
    if (verdict.kind === 'proceed' && verdict.lease) leases.set(index, verdict.lease);
    const result: StepResult = { step: index, got: summarize(verdict) };
    if (verdict.kind === 'proceed' && verdict.lease) result.cooldownUntil = verdict.lease.cooldownUntil - T0;
    results.push(result);
  }
  return results;
}

export function expectedOf(sequence: Sequence): Array<{ step: number; got: Expected }> {
  return sequence.steps.flatMap((step, index) => ('check' in step ? [{ step: index, got: step.expect }] : []));
}

/**
 * The store deadline of tests that are NOT about the deadline. A deadline is a real-time limit:
 * on a loaded 2-core machine (the full suite, CI) connecting, a TLS handshake or 50 connections
 * at once can take longer than a production-like 500 ms, and a test of decisions, passwords or
 * TLS would then fail on the machine's speed — a timed assertion in disguise. Far above any
 * plausible delay, it stays out of what they assert; the deadline tests choose their own.
 */
export const NOT_UNDER_TEST_TIMEOUT_MS = 10_000;

/** A Redis store with its own key prefix, so tests sharing one server never see each other's keys. */
export function redisStore(url: string, opts: { prefix?: string; timeoutMs?: number; tlsCa?: string } = {}): GuardStore {
  return createGuardStore({
    redisUrl: url,
    keyPrefix: opts.prefix ?? uniquePrefix(),
    timeoutMs: opts.timeoutMs ?? NOT_UNDER_TEST_TIMEOUT_MS,
    ...(opts.tlsCa ? { tlsCa: opts.tlsCa } : {}),
  });
}

export function uniquePrefix(): string {
  return `t-${randomUUID().slice(0, 8)}:`;
}
