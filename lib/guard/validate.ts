/**
 * Checks a GuardRequest before any store sees it. A malformed request is a bug upstream
 * (the policy loader validates settings, the event parser the target), so it is refused
 * with a typed error instead of being turned into a guess.
 */
import { GuardError, type GuardRequest } from './types';

const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isCount = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;
const isSeconds = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** The first thing wrong with the request, or null. */
export function requestProblem(req: GuardRequest): string | null {
  const t = req.target;
  if (!t || !isNonEmptyString(t.projectId) || !isNonEmptyString(t.instanceId)) return 'target needs projectId and instanceId';
  if (t.killAllNodes && t.nodeId !== null) return 'target.nodeId must be null when killAllNodes is true';
  if (!t.killAllNodes && !isNonEmptyString(t.nodeId)) return 'target.nodeId is required when killAllNodes is false';
  if (req.dedupKey !== null && !isNonEmptyString(req.dedupKey)) return 'dedupKey must be null or a non-empty string';
  if (!Number.isSafeInteger(req.now) || req.now < 0) return 'now must be epoch milliseconds';
  if (typeof req.dryRun !== 'boolean') return 'dryRun must be a boolean';
  const s = req.settings;
  if (!s || !isSeconds(s.cooldownSeconds) || !isSeconds(s.dedupTtlSeconds)) return 'settings.cooldownSeconds and dedupTtlSeconds must be seconds >= 0';
  if (!isCount(s.maxKillsPerHour) || !isCount(s.maxKillsPerHourPerInstance)) return 'settings.maxKillsPerHour and maxKillsPerHourPerInstance must be integers >= 0';
  if (typeof s.failOpen !== 'boolean') return 'settings.failOpen must be a boolean';
  return null;
}

export function assertValidRequest(req: GuardRequest): void {
  const problem = requestProblem(req);
  if (problem !== null) throw new GuardError('invalid_guard_request', `invalid guard request: ${problem}`);
}
