/**
 * `plan`: what would happen, with GUARD_DRY_RUN=true forced. It never calls kill-all (checked at
 * the emulator's recorded requests) and never writes guard state (checked in a real Redis store).
 */
import * as path from 'node:path';
import { startRedisServer, type RedisServerHandle, describeWithRedis } from '../support/redis-server';
import { PROJECT } from '../support/scenario';
import { ALARMED_NODE, runCli, SAMPLES, useEmulatedApi } from './support';

const sample = (name: string) => path.join(SAMPLES, name);

describe('dcs-session-guard plan', () => {
  const emulated = useEmulatedApi();
  // The demo policy ACTS (dryRun: false): only plan's forced dry run keeps kill-all away.
  const { env } = emulated;
  const operations = () => emulated.emulator.requests.map((r) => r.operation);

  it('shows the kill it would make, and never calls kill-all', async () => {
    const r = await runCli(['plan', '--event', sample('node-alarm.smn-trigger.json')], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^plan for alarm \(dry run: nothing was killed\): 1 decision$/m);
    expect(r.stdout).toMatch(new RegExp(`^dry_run\\s+\\S+ node ${ALARMED_NODE}\\s`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`would send POST /v2/${PROJECT}/instances/\\S+/clients/kill-all \\{"node_id":"${ALARMED_NODE}","kill_all_nodes":false\\}`));
    expect(operations()).not.toContain('hangUpKillAllClients');
  });

  it('overrides GUARD_DRY_RUN=false from the environment, picks cron for a timer event, --json for scripts', async () => {
    const r = await runCli(['plan', '--event', sample('timer.nightly.json'), '--json'], { env: env({ GUARD_DRY_RUN: 'false' }) });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([expect.objectContaining({ trigger: 'timer', decision: 'dry_run', target: expect.objectContaining({ killAllNodes: true }) })]);
    expect(operations()).not.toContain('hangUpKillAllClients');
  });

  it('a precision rule: shows per node what was listed and exactly which sessions it would close, closes none', async () => {
    const policy = {
      version: 1,
      alarms: [{ name: 'idle', match: { metrics: ['connections_usage', 'connected_clients'] }, action: { kind: 'kill-matching', select: { idleSecondsAtLeast: 20 } } }],
    };
    const r = await runCli(['plan', '--event', sample('node-alarm.smn-trigger.json')], { env: env({ GUARD_POLICY: JSON.stringify(policy) }) });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`node ${ALARMED_NODE}: 5 listed, 2 selected, 0 protected, 2 would close`));
    // The demo seed's sessions on that node idle 39 s and 26 s: the idlest first.
    const closing = [...r.stdout.matchAll(/would close (\S+) {2}name \S+ {2}idle (\d+) s/g)].map((m) => Number(m[2]));
    expect(closing).toEqual([39, 26]);
    expect(operations()).not.toContain('hangUpClients');
  });

  it('plans a rejected event as rejected (exit 1)', async () => {
    const r = await runCli(['plan', 'alarm', '--event', sample('forged.apig.json')], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^rejected\s/m);
    expect(emulated.emulator.requests).toEqual([]);
  });

  describeWithRedis('with a Redis guard store', () => {
    let redis: RedisServerHandle;
    beforeAll(async () => {
      redis = (await startRedisServer())!;
    });
    afterAll(() => redis.stop());

    it('reads the guard state but never writes it; invoke then acts and the guard remembers', async () => {
      const withStore = env({ GUARD_REDIS_URL: redis.url });
      const event = ['--event', sample('node-alarm.smn-trigger.json'), '--json'];
      for (let i = 0; i < 2; i++) {
        const plan = await runCli(['plan', ...event], { env: withStore });
        expect(JSON.parse(plan.stdout)).toEqual([expect.objectContaining({ decision: 'dry_run' })]); // not a duplicate: nothing was remembered
      }
      expect(redis.cli('DBSIZE')).toBe('0');
      expect(operations()).not.toContain('hangUpKillAllClients');

      const invoke = await runCli(['invoke', 'alarm', ...event], { env: withStore });
      expect(JSON.parse(invoke.stdout)).toEqual([expect.objectContaining({ decision: 'executed' })]);
      expect(Number(redis.cli('DBSIZE'))).toBeGreaterThan(0);

      // Now the plan sees the real state: the same notification again would be dropped.
      const after = await runCli(['plan', ...event], { env: withStore });
      expect(JSON.parse(after.stdout)).toEqual([expect.objectContaining({ decision: 'skipped_duplicate' })]);
      expect(operations().filter((o) => o === 'hangUpKillAllClients')).toHaveLength(1);
    });
  });
});
