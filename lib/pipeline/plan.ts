/**
 * What a story hands the executor: plans (act on this target, this way, for
 * this reason) and decisions that need no action (skip, reject). Plans are
 * plain data: a story never acts, and what it planned can be printed.
 */
import type { ActionSpec } from '../actions';
import type { DryRunCause, Source, Target } from '../domain/types';
import type { Policy } from '../policy';
import { planningFailure, type Decision } from './decision';

/** The policy sections that govern how a plan is carried out. */
export type ExecutionPolicy = Pick<Policy, 'guard' | 'jobs' | 'audit'>;

export interface Plan {
  /** What triggered it: the alarm or the timer. */
  source: Source;
  /** The policy rule, or `schedule:<name>`, that asked for it. */
  rule: string;
  target: Target;
  /** Which registered action, with its settings. */
  action: ActionSpec;
  /** Why this is a dry run (computed once, by dryRunCause), or null when it may act. */
  dryRunCause: DryRunCause | null;
  /** The notification's identity across redeliveries (SMN message id, alarm id + time, timer tick); null: none. */
  dedupKey: string | null;
  policy: ExecutionPolicy;
}

/** One thing a story produced, in order: a plan to execute, or a decision already made. */
export type Step = Plan | Decision;

export const isPlan = (step: Step): step is Plan => 'action' in step && 'target' in step;

/** A rule or schedule without an `action` kills all sessions of its targets. */
export const DEFAULT_ACTION: ActionSpec = { kind: 'kill-all' };

export const executionPolicy = ({ guard, jobs, audit }: Policy): ExecutionPolicy => ({ guard, jobs, audit });

/** A story's steps, with an exception on the way turned into the last step (source attached). */
export async function* caught(source: Source, steps: AsyncIterable<Step>): AsyncGenerator<Step> {
  try {
    yield* steps;
  } catch (e) {
    yield planningFailure(e, source);
  }
}
