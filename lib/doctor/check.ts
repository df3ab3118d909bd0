/** One line of `doctor`: a named check, its verdict, what was found, and the fix when it is not ok. */
export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface Check {
  /** Stable, for --json consumers: "policy", "dcs.credentials", "guard.eviction", ... */
  id: string;
  status: CheckStatus;
  message: string;
  fix?: string;
}

export const ok = (id: string, message: string): Check => ({ id, status: 'ok', message });
export const warn = (id: string, message: string, fix?: string): Check => ({ id, status: 'warn', message, ...(fix ? { fix } : {}) });
export const fail = (id: string, message: string, fix?: string): Check => ({ id, status: 'fail', message, ...(fix ? { fix } : {}) });

export function formatCheck(check: Check): string {
  return `${check.status.padEnd(4)} ${check.id}: ${check.message}${check.fix ? ` — fix: ${check.fix}` : ''}`;
}
