/**
 * The precision action (kill-matching) on a big node:
 * - choose alone: select + protect + idlest-first cap over 10,000 listed sessions, in process;
 * - sessions killed on a node holding 10,000 sessions: the action's steps (scan and its job,
 *   every page, choose, kill in batches) through the real DCS client, signed, over HTTP to the
 *   emulator, each step timed.
 */
import { SimulatedSessionBackend, type ClientSession } from '../dev/emulator/sessions';
import { startEmulator } from '../dev/emulator/server';
import type { ClientInfo } from '../lib/dcs/models';
import { chooseSessions, compileSelection } from '../lib/sessions/choose';
import { killInBatches } from '../lib/sessions/kill';
import { readSessions } from '../lib/sessions/read';
import type { KillMatchingSpec } from '../lib/policy/schema';
import { demoClient } from './scenario';
import { elapsedNs, summarize, type Summary } from './stats';

export const PRECISION_SESSIONS = 10_000;

/** What a leak-hunting rule looks like: idle, from the app subnets, not the monitors. */
const SPEC: KillMatchingSpec = {
  kind: 'kill-matching',
  select: { idleSecondsAtLeast: 600, addresses: ['10.0.0.0/8', '2001:db8::/32'], names: ['app-*', 'batch-*'] },
  protect: { addresses: ['10.0.5.0/24'], names: ['monitor*'] },
  maxSessionsPerNode: 1000,
  whenNoneMatch: 'skip',
};

/** A node's worth of sessions: a mix of idle and busy, named and not, IPv4 and IPv6, a few protected. */
export function syntheticSessions(n: number): ClientSession[] {
  return Array.from({ length: n }, (_, i) => {
    const v6 = i % 10 === 0;
    const third = i % 17 === 0 ? 5 : (i >> 8) & 255;
    const ip = v6 ? `[2001:db8::${(i % 65535).toString(16)}]` : `10.0.${third}.${i & 255}`;
    return {
      id: String(i + 1),
      addr: `${ip}:${20000 + (i % 40000)}`,
      name: i % 13 === 0 ? `monitor-${i}` : i % 3 === 0 ? '' : i % 2 === 0 ? `app-${i}` : `batch-${i}`,
      age: 3600 + (i % 5000),
      idle: (i * 7919) % 7200,
      db: 0,
      flags: 'N',
      cmd: i % 4 === 0 ? 'blpop' : 'get',
    };
  });
}

export interface PrecisionResult {
  sessions: number;
  /** choose over all sessions, one run (ms of wall time). */
  chooseMs: Summary;
  /** The same runs in CPU time of this process (ms): what the code costs, without waiting for a busy machine's cores. */
  chooseCpuMs: Summary;
  chosen: number;
  /** One full pass on the emulator: scan → every page → choose → kill in batches (ms). */
  endToEndMs: Summary;
  breakdownMs: { scan: Summary; pages: Summary; choose: Summary; kill: Summary };
  pages: number;
  killBatches: number;
  killed: number;
}

export async function measurePrecision(rounds: { choose: number; endToEnd: number }): Promise<PrecisionResult> {
  const sessions = syntheticSessions(PRECISION_SESSIONS);
  const clients = sessions as unknown as ClientInfo[];
  const selection = compileSelection(SPEC);
  for (let i = 0; i < 20; i++) chooseSessions(clients, selection); // warm the JIT
  const chooseNs: number[] = [];
  const chooseCpuUs: number[] = [];
  let chosen = 0;
  for (let i = 0; i < rounds.choose; i++) {
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    chosen = chooseSessions(clients, selection).chosen.length;
    chooseNs.push(elapsedNs(start));
    const used = process.cpuUsage(cpu);
    chooseCpuUs.push(used.user + used.system);
  }

  const nodeId = 'eb4debb56ba8d632dae03afc167a8f9b';
  const instanceId = '5e2b1c9a-7f3d-4d2e-9b8a-1c2d3e4f5a6b';
  const steps = { scan: [] as number[], pages: [] as number[], choose: [] as number[], kill: [] as number[], total: [] as number[] };
  let last = { pages: 0, batches: 0, killed: 0 };
  for (let round = 0; round < rounds.endToEnd; round++) {
    // A fresh node each round: the kill removes what it chose.
    const backend = new SimulatedSessionBackend(new Map([[nodeId, sessions]]));
    const emulator = await startEmulator({ port: 0, jobDurationMs: 20, sessionBackend: backend });
    try {
      const dcs = demoClient(emulator.url);
      const deadline = Date.now() + 30_000;
      const t0 = process.hrtime.bigint();
      const listing = await readSessions(dcs, instanceId, nodeId, { deadline, pollMs: 20 });
      const t1 = process.hrtime.bigint();
      const choice = chooseSessions(listing.clients, selection);
      const t2 = process.hrtime.bigint();
      const report = await killInBatches(dcs, instanceId, nodeId, choice.chosen.map((c) => c.addr), { deadline });
      const t3 = process.hrtime.bigint();
      if (report.stoppedBy) throw new Error(`kill stopped: ${report.stoppedBy.message}`);
      steps.scan.push(listing.scanMs);
      steps.pages.push(listing.listMs);
      steps.choose.push(Number(t2 - t1) / 1e6);
      steps.kill.push(Number(t3 - t2) / 1e6);
      steps.total.push(Number(t3 - t0) / 1e6);
      last = { pages: listing.pages, batches: report.batches, killed: report.killed };
    } finally {
      await emulator.close();
    }
  }
  return {
    sessions: PRECISION_SESSIONS,
    chooseMs: summarize(chooseNs.map((ns) => ns / 1e6)),
    chooseCpuMs: summarize(chooseCpuUs.map((us) => us / 1e3)),
    chosen,
    endToEndMs: summarize(steps.total),
    breakdownMs: { scan: summarize(steps.scan), pages: summarize(steps.pages), choose: summarize(steps.choose), kill: summarize(steps.kill) },
    pages: last.pages,
    killBatches: last.batches,
    killed: last.killed,
  };
}
