/** What only the memory store has: its bounds. (Its decisions are tested in behaviour.test.ts.) */
import { MemoryGuardStore } from '../../lib/guard';
import type { GuardRequest } from '../../lib/guard/types';
import { BASE_SETTINGS, T0, targetOf } from './sequences';

const HOUR = 3_600_000;
const roomy = { ...BASE_SETTINGS, maxKillsPerHour: 1_000_000, maxKillsPerHourPerInstance: 1_000_000 };

const claimOn = (instance: number, now: number, dedupKey: string | null = `m-${instance}`): GuardRequest => ({
  target: targetOf(`I${instance}/*`),
  dedupKey,
  dryRun: false,
  now,
  settings: roomy,
});

describe('memory store bounds', () => {
  it('drops entries once the caller clock has passed their end', async () => {
    const store = new MemoryGuardStore();
    for (let i = 0; i < 200; i++) expect((await store.check(claimOn(i, T0 + i))).kind).toBe('proceed');
    expect(store.size()).toEqual({ dedup: 200, cooldowns: 200, kills: 400 });

    // a day later: every dedup mark (300 s), cooldown (60 s) and kill (1 h) has ended
    expect((await store.check(claimOn(999, T0 + 24 * HOUR))).kind).toBe('proceed');
    expect(store.size()).toEqual({ dedup: 1, cooldowns: 1, kills: 2 });
  });

  it('drops a kill once it has left the breaker window, also when the caller clock stepped back', async () => {
    const store = new MemoryGuardStore();
    const limited = { ...roomy, maxKillsPerHour: 2 };
    const claim = (instance: number, now: number) => store.check({ ...claimOn(instance, now), settings: limited });
    expect((await claim(1, T0 + 10)).kind).toBe('proceed');
    expect((await claim(2, T0)).kind).toBe('proceed'); // the clock stepped back: the oldest kill is not the first
    expect((await claim(3, T0 + 20)).kind).toBe('rate_limit');
    // T0 has left the window, T0 + 10 has not: one global slot is free again, and only the T0 kill is gone
    expect((await claim(4, T0 + HOUR + 5)).kind).toBe('proceed');
    expect(store.size().kills).toBe(4); // global: T0 + 10 and the new one; instance 1: T0 + 10; instance 4: the new one
    expect((await claim(5, T0 + HOUR + 6)).kind).toBe('rate_limit');
    // Both remaining kills leave the window: the breaker is open to two more.
    expect((await claim(6, T0 + 2 * HOUR + 6)).kind).toBe('proceed');
    expect((await claim(7, T0 + 2 * HOUR + 7)).kind).toBe('proceed');
    expect((await claim(8, T0 + 2 * HOUR + 8)).kind).toBe('rate_limit');
  });

  it('releases exactly the claim it is given, among many on the same breaker', async () => {
    const store = new MemoryGuardStore();
    const leases = [];
    for (let i = 0; i < 5; i++) {
      const verdict = await store.check(claimOn(i, T0 + i));
      if (verdict.kind !== 'proceed' || !verdict.lease) throw new Error('expected a claim');
      leases.push(verdict.lease);
    }
    expect(new Set(leases.map((l) => l.id)).size).toBe(5);
    expect(await store.settle(leases[2]!, 'not_sent')).toEqual({ vanished: [] });
    expect(store.size().kills).toBe(8);
    expect(await store.settle(leases[2]!, 'not_sent')).toEqual({ vanished: ['dedup', 'cooldown', 'kills'] });
    expect((await store.check(claimOn(2, T0 + 10))).kind).toBe('proceed');
  });

  it('caps dedup marks, dropping the oldest first', async () => {
    const store = new MemoryGuardStore(50);
    for (let i = 0; i < 80; i++) await store.check(claimOn(i, T0));
    expect(store.size().dedup).toBe(50);
    // the newest marks are kept, the oldest dropped
    expect((await store.check({ ...claimOn(79, T0 + 1), target: targetOf('I79/*') })).kind).toBe('duplicate');
    expect(store.size().dedup).toBe(50);
  });

  it('a release reports a dedup mark the cap dropped before it; an intact claim reports nothing', async () => {
    const store = new MemoryGuardStore(1);
    const first = await store.check(claimOn(1, T0));
    const second = await store.check(claimOn(2, T0)); // the cap drops the first claim's dedup mark
    if (first.kind !== 'proceed' || !first.lease || second.kind !== 'proceed' || !second.lease) throw new Error('expected two claims');
    expect(await store.settle(first.lease, 'not_sent')).toEqual({ vanished: ['dedup'] });
    expect(await store.settle(second.lease, 'not_sent')).toEqual({ vanished: [] });
  });

  it('refuses a malformed request with a typed error and records nothing', async () => {
    const store = new MemoryGuardStore();
    const bad = [
      { ...claimOn(1, T0), target: { projectId: '', instanceId: 'i', nodeId: null, killAllNodes: true } },
      { ...claimOn(1, T0), target: { projectId: 'p', instanceId: 'i', nodeId: 'n', killAllNodes: true } },
      { ...claimOn(1, T0), dedupKey: '' },
      { ...claimOn(1, 1.5) },
      { ...claimOn(1, T0), settings: { ...roomy, cooldownSeconds: -1 } },
      { ...claimOn(1, T0), settings: { ...roomy, maxKillsPerHour: 2.5 } },
    ];
    for (const req of bad) await expect(store.check(req)).rejects.toMatchObject({ code: 'invalid_guard_request' });
    expect(store.size()).toEqual({ dedup: 0, cooldowns: 0, kills: 0 });
  });
});
