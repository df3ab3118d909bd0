/** What every command gets: where to write, the environment, and where the project lives. */
import type { Layout } from '../../dev/runner/layout';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  layout: Layout;
}

/**
 * Exit codes (documented in docs/local.md and in `--help`).
 * Scripts rely on them: change them only with the docs.
 */
export const EXIT = {
  /** Every decision went through / the policy is valid / clean stop. */
  OK: 0,
  /** A decision failed or was rejected, a kill job ended FAIL, the APIG answer was an error, or the policy is invalid. */
  DECISION_FAILED: 1,
  /** Unknown command or option, missing or bad argument, a named file that cannot be read. */
  USAGE: 2,
  /** Could not run: not built, incomplete environment, a part did not start, the function crashed or timed out. */
  CANNOT_RUN: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `Exit codes:
  0  ok: every decision went through, the policy is valid, or a clean stop (Ctrl-C)
  1  a decision failed or was rejected, a kill job ended FAIL, the webhook answered an HTTP error,
     or the policy is invalid
  2  usage error: unknown command or option, missing or bad argument, a named file that cannot be read
  3  could not run: bundles not built (npm run build), incomplete environment, a part did not start,
     the function crashed or timed out`;
