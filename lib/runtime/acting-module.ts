/**
 * What an event needs only once it may act, or once it came over HTTP: the DCS
 * client, the guard store, the executor and its registered actions, targets,
 * SMN authentication, the decision sinks. Built as dist/<fn>/act.js and
 * required on first use (lib/runtime/acting.ts, esbuild.config.mjs LAZY_FILES),
 * so a rejected or skipped event compiles none of it. Whatever crosses back to
 * index.js is plain data, functions or instances used through their methods:
 * no `instanceof` on the other side (a module in both files is two copies).
 */
import { GuardError, sharedGuardStore, type GuardStore, type GuardStoreOptions } from '../guard';
import type { Result } from '../domain/types';

export { createDcsClient, DcsConfigCache } from '../dcs';
export { authenticateSmnMessage, confirmSubscription, createCertFetcher, readSmnAuthConfig } from '../auth';
export { Executor } from '../pipeline/executor';
export { policySinks } from '../sinks/build';
export { NodeResolver, targetsForAlarm, targetsForSchedule } from '../targets';

/** The shared guard store of a configuration, or the configuration's error as a value. */
export function openGuardStore(options: GuardStoreOptions): Result<GuardStore, GuardError> {
  try {
    return { ok: true, value: sharedGuardStore(options) };
  } catch (e) {
    if (e instanceof GuardError) return { ok: false, error: e };
    throw e;
  }
}
