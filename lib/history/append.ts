/**
 * Appending to the decision history, per guard store (one per warm container): records go
 * out in the order they arrive, one script call at a time. While a call is in flight, the
 * records that arrive meanwhile wait for it and then go together in the next call (a group
 * commit). A lone decision is sent at once, as if there were no batching; a storm of
 * concurrent decisions in one container costs one round trip per batch, not per decision.
 *
 * A failed call fails every record of its batch (each sink logs its own line), the next
 * batch is tried on its own; nothing here can touch a decision, which was made before.
 */
import type { AuditRecord } from '../domain/types';
import type { RedisGuardStore } from '../guard/redis-store';
import type { HistorySettings } from '../policy';
import { APPEND_SCRIPT, capArgs, entryArgs, HISTORY_KEY_NAME, MAX_BATCH } from './stream';

interface Pending {
  settings: HistorySettings;
  /** When the sink took the record: the batch's age trim counts from its newest. */
  nowMs: number;
  args: string[];
  done: (error: unknown) => void;
}

export class HistoryAppender {
  private readonly queue: Pending[] = [];
  private sending = false;

  constructor(private readonly store: RedisGuardStore) {}

  /** `line`: the record's JSON (the audit line). Resolves once the record is in the stream; rejects as RedisGuardStore.runScript does. */
  append(record: AuditRecord, line: string, settings: HistorySettings, nowMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ settings, nowMs, args: entryArgs(record, line), done: (e) => (e === undefined ? resolve() : reject(e)) });
      if (!this.sending) void this.sendQueued();
    });
  }

  private async sendQueued(): Promise<void> {
    this.sending = true;
    while (this.queue.length > 0) {
      const batch = this.nextBatch();
      const nowMs = Math.max(...batch.map((p) => p.nowMs));
      const args = [...capArgs(batch[0]!.settings, nowMs), ...batch.flatMap((p) => p.args)];
      const error = await this.store.runScript(APPEND_SCRIPT, [HISTORY_KEY_NAME], args).then(
        () => undefined,
        (e: unknown) => e ?? new Error('historyAppend failed'),
      );
      for (const p of batch) p.done(error);
    }
    this.sending = false;
  }

  /** The oldest waiting records with the same caps, at most MAX_BATCH. */
  private nextBatch(): Pending[] {
    const { maxEntries, maxAgeDays } = this.queue[0]!.settings;
    let n = 1;
    while (n < this.queue.length && n < MAX_BATCH && this.queue[n]!.settings.maxEntries === maxEntries && this.queue[n]!.settings.maxAgeDays === maxAgeDays) n++;
    return this.queue.splice(0, n);
  }
}

const appenders = new WeakMap<RedisGuardStore, HistoryAppender>();

/** The container's appender for `store` (the guard store lives as long as the container). */
export function historyAppender(store: RedisGuardStore): HistoryAppender {
  let appender = appenders.get(store);
  if (!appender) appenders.set(store, (appender = new HistoryAppender(store)));
  return appender;
}
