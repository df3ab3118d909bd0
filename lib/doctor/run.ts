/**
 * `doctor`: configuration first (exactly as the function reads it), then each
 * dependency for real — DCS (reads only), the guard store (scratch keys only).
 * It never kills and writes nothing else. One Check per line; any 'fail' means
 * the deployment would not work.
 */
import { Container, type Env } from '../runtime/container';
import type { Check } from './check';
import { configChecks } from './config';
import { dcsChecks } from './dcs-checks';
import { guardChecks } from './guard-checks';

export interface DoctorOptions {
  env: Env;
  /** The policy the function reads when GUARD_POLICY is unset (the one packaged beside the bundle). */
  policyPath: string;
  now?: number;
  /** For all DCS reads together. */
  dcsBudgetMs?: number;
}

export async function runDoctor(options: DoctorOptions): Promise<Check[]> {
  const now = options.now ?? Date.now();
  const env = options.env.GUARD_POLICY ? options.env : { ...options.env, GUARD_POLICY: options.policyPath };
  const checks = configChecks({ env, policyPath: options.policyPath, now, credentials: 'environment' });
  const container = new Container(env, '.');
  const policy = container.policy();
  if (!policy.ok) return checks;
  const dcs = container.dcs(undefined);
  if (dcs.ok) {
    const deadline = Date.now() + (options.dcsBudgetMs ?? 30_000);
    checks.push(...(await dcsChecks(dcs.value, policy.value.policy, () => deadline)));
  }
  const guard = policy.value.policy.guard;
  checks.push(...(await guardChecks(env, guard.storeTimeoutMs, guard)));
  return checks;
}

export const anyFailed = (checks: readonly Check[]): boolean => checks.some((c) => c.status === 'fail');
