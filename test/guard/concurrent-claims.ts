/**
 * The concurrent-alarm tests: many warm containers (one store = one connection each) asking
 * at the same moment. Shared by the single redis-server and the native Redis Cluster suites.
 */
import type { GuardRequest, GuardStore, GuardVerdict } from '../../lib/guard/types';
import { uniquePrefix } from './harness';
import { BASE_SETTINGS, T0, targetOf } from './sequences';

export const request = (overrides: Partial<GuardRequest> = {}): GuardRequest => ({
  target: targetOf('A/n1'),
  dedupKey: 'msg-1',
  dryRun: false,
  now: T0,
  settings: BASE_SETTINGS,
  ...overrides,
});

export const kinds = (verdicts: GuardVerdict[]) =>
  verdicts.reduce<Record<string, number>>((acc, v) => ({ ...acc, [v.kind]: (acc[v.kind] ?? 0) + 1 }), {});

/** Defines the tests; `open(prefix)` opens a store (a connection) on the Redis under test. */
export function concurrentClaimTests(open: (prefix: string) => GuardStore): void {
  /**
   * `n` stores on `prefix`, each already connected, like warm containers: the race that follows
   * is about atomicity, and 50 connections opening at once would only measure the machine.
   */
  const warmContenders = async (prefix: string, n: number) => {
    const contenders = Array.from({ length: n }, () => open(prefix));
    const warmUp = await Promise.all(contenders.map((s) => s.check(request({ target: targetOf('W/*'), dryRun: true }))));
    expect(kinds(warmUp)).toEqual({ proceed: n }); // dry runs: nothing written
    return contenders;
  };

  it('50 concurrent checks on one target from 50 connections: exactly one proceeds', async () => {
    const contenders = await warmContenders(uniquePrefix(), 50);
    const sameAlarm = await Promise.all(contenders.map((s) => s.check(request())));
    expect(kinds(sameAlarm)).toEqual(expect.objectContaining({ proceed: 1 }));
    expect(sameAlarm.every((v) => ['proceed', 'duplicate', 'cooldown'].includes(v.kind))).toBe(true);

    // different alarms on one node: one wins, the others see its cooldown, starting at its claim
    const target = targetOf('B/n1');
    const alarms = await Promise.all(contenders.map((s, i) => s.check(request({ target, dedupKey: `alarm-${i}`, now: T0 + i }))));
    expect(kinds(alarms)).toEqual({ proceed: 1, cooldown: 49 });
    const winner = alarms.find((v) => v.kind === 'proceed');
    const since = winner?.kind === 'proceed' ? winner.lease?.claimedAt : undefined;
    expect(alarms.filter((v) => v.kind === 'cooldown').every((v) => v.kind === 'cooldown' && v.since === since && v.scope === 'node')).toBe(true);
  });

  it('50 concurrent checks on different nodes: the breaker admits exactly its limit', async () => {
    const contenders = await warmContenders(uniquePrefix(), 50);
    const perInstance = await Promise.all(contenders.map((s, i) => s.check(request({ target: targetOf(`C/n${i}`), dedupKey: null }))));
    expect(kinds(perInstance)).toEqual({ proceed: 3, rate_limit: 47 });
    const global = await Promise.all(contenders.map((s, i) => s.check(request({ target: targetOf(`I${i}/*`), dedupKey: null, now: T0 + 1 }))));
    expect(kinds(global)).toEqual({ proceed: 2, rate_limit: 48 }); // 5 globally, 3 of them already used
  });
}
