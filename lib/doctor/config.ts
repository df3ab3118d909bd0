/**
 * doctor's configuration part: the settings read exactly as the function reads
 * them — through the function's own Container (lib/runtime/container.ts:
 * policy, DCS client settings, guard store settings, SMN settings) — with no
 * network call. `deploy` runs it on the environment it is about to deploy.
 */
import type { X509Certificate } from 'node:crypto';
import { isCurrentlyValid } from '../auth/certs';
import type { Context } from '../fg/types';
import { Container, type Env } from '../runtime/container';
import { fail, ok, warn, type Check } from './check';

export interface ConfigCheckOptions {
  env: Env;
  /** The policy file the function would read when GUARD_POLICY is unset (beside the bundle). */
  policyPath: string;
  now: number;
  /**
   * Where the function's DCS credentials come from. 'agency': FunctionGraph
   * hands them over at run time (deploy checks a configuration before it
   * exists); 'environment': this process's environment (doctor).
   */
  credentials?: 'agency' | 'environment';
  /** The function the settings are for: the cron function receives no SMN messages. Default: both. */
  fn?: 'alarm' | 'cron';
}

/** A stand-in for the agency's temporary credentials, which only exist inside FunctionGraph. */
const AGENCY_PLACEHOLDER: Context = {
  getSecurityAccessKey: () => 'AGENCY-AK-AT-RUN-TIME',
  getSecuritySecretKey: () => 'agency-sk-at-run-time',
  getSecurityToken: () => 'agency-token-at-run-time',
} as Context;

const CERT_EXPIRY_WARNING_DAYS = 30;

export function configChecks(options: ConfigCheckOptions): Check[] {
  const env = options.env.GUARD_POLICY ? options.env : { ...options.env, GUARD_POLICY: options.policyPath };
  const container = new Container(env, '.');
  const checks: Check[] = [];
  const policy = container.policy();
  if (!policy.ok) {
    checks.push(fail('policy', policy.error.format(), 'dcs-session-guard validate shows every problem'));
  } else {
    const p = policy.value.policy;
    checks.push(ok('policy', `${policy.value.source}: valid (${p.alarms.length} alarm rules, ${Object.keys(p.schedules).length} schedules)`));
    checks.push(dryRunCheck(policy.value.forcedDryRun, p.dryRun));
  }
  const dcs = container.dcs(options.credentials === 'agency' ? AGENCY_PLACEHOLDER : undefined);
  checks.push(dcs.ok ? ok('dcs.config', `endpoint ${dcs.value.endpoint}, project ${dcs.value.projectId}`) : fail('dcs.config', dcs.error.message, 'set the variables named (README, Configuration)'));
  const guard = container.guard(policy.ok ? policy.value.policy.guard.storeTimeoutMs : 500);
  if (!guard.ok) checks.push(fail('guard.config', guard.error.message, 'GUARD_REDIS_URL is redis://[user:password@]host:port[/db] or rediss://...'));
  else if (guard.value.kind === 'memory') checks.push(warn('guard.config', 'no GUARD_REDIS_URL: dedup, cooldowns and the breaker live in each container\'s memory and are lost on a cold start', 'point GUARD_REDIS_URL at a Redis (a small DCS instance) for guards that hold across containers'));
  else checks.push(ok('guard.config', 'Redis guard store configured'));
  if (options.fn !== 'cron') checks.push(...smnChecks(container, options.now));
  return checks;
}

function dryRunCheck(forced: boolean, policyDryRun: boolean): Check {
  if (forced) return ok('dry-run', 'this deployment will NOT kill: GUARD_DRY_RUN=true (decide and audit only)');
  if (policyDryRun) return ok('dry-run', 'this deployment will NOT kill: the policy says dryRun: true');
  return warn('dry-run', 'this deployment WILL KILL client sessions when the policy matches (GUARD_DRY_RUN is not true, policy dryRun: false)', 'set GUARD_DRY_RUN=true until the audit lines look right');
}

function smnChecks(container: Container, now: number): Check[] {
  const smn = container.smnAuth();
  if (!smn.ok) return [fail('smn.config', smn.error.message, 'fix the SMN_* variables named')];
  const config = smn.value;
  const checks: Check[] = [];
  const expired = config.trustedCerts.filter((t) => !isCurrentlyValid(t.cert, now));
  const soon = config.trustedCerts.filter((t) => isCurrentlyValid(t.cert, now) && expiresWithin(t.cert, now, CERT_EXPIRY_WARNING_DAYS));
  if (expired.length > 0) checks.push(fail('smn.certificates', `not in date: ${expired.map((t) => `${t.label} (valid ${t.cert.validFrom} to ${t.cert.validTo})`).join('; ')}`, 'give the current SMN signing certificate in SMN_SIGNING_CERT'));
  else if (soon.length > 0) checks.push(warn('smn.certificates', `expiring within ${CERT_EXPIRY_WARNING_DAYS} days: ${soon.map((t) => `${t.label} (until ${t.cert.validTo})`).join('; ')}`, 'add the next certificate with SMN_SIGNING_CERT=+<file>'));
  else checks.push(ok('smn.certificates', `${config.trustedCerts.length} trusted certificate(s) load and are in date`));
  checks.push(config.topicUrns === null ? warn('smn.topics', 'SMN_TOPIC_URNS unset: messages from any topic are accepted', 'set SMN_TOPIC_URNS to the alarm topic') : ok('smn.topics', `${config.topicUrns.length} topic URN(s), well-formed`));
  if (config.allowUnsigned) checks.push(warn('smn.unsigned', 'SMN_ALLOW_UNSIGNED=true: UNSIGNED SMN MESSAGES ARE ACCEPTED; anyone who can reach the webhook can trigger kills', 'unset it unless the gateway authenticates every caller'));
  return checks;
}

function expiresWithin(cert: X509Certificate, now: number, days: number): boolean {
  return Date.parse(cert.validTo) - now < days * 86_400_000;
}
