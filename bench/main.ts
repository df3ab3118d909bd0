/**
 * `npm run bench` (bench/run.mjs builds, then runs this): every figure of
 * docs/performance.md, each next to its baseline from the same run, on this
 * machine. Prints a table with PASS/MISS per target and writes bench/results.json.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEmulator, type Emulator } from '../dev/emulator/server';
import { startRedisCluster } from '../test/support/redis-cluster';
import { redisServerMissing, startRedisServer, type RedisServerHandle } from '../test/support/redis-server';
import { bundleFiles } from './bundles';
import { emptyCase, measureColdStarts, ONE_LINE_HANDLER, oneLineHandlerCase, probeCase } from './cold-start';
import { measurePrecision } from './precision';
import { printPrecision, printReport, printWarm, precisionVerdict, verdicts, warmVerdicts, type BenchResults } from './report';
import { ACT_EVERY_TIME_POLICY, eventOf, functionEnv, packagedPolicy, STORM_POLICY, type EventKind } from './scenario';
import { runStorm, type StormResult } from './storm';
import { measureWarm } from './warm';
import { WarmFunction } from './worker-client';

const ROOT = path.resolve(__dirname, '..', '..');
const BUNDLE = path.join(ROOT, 'dist', 'alarm', 'index.js');
const WORKER = path.join(__dirname, 'worker.js');

const SETTINGS = {
  coldRounds: 15,
  warmup: 30,
  // V8 goes on optimising a kill's functions for about 2,500 kills: steady is measured after that.
  warmSettle: 3_000,
  warmEvents: 300,
  stormDeliveries: 10_000,
  stormCallers: 50,
  stormProcesses: 2,
  precisionChooseRounds: 200,
  precisionEndToEndRounds: 5,
};

const WARM_KINDS: EventKind[] = ['node_kill', 'instance_kill', 'recovered', 'no_match', 'rejected'];

function step(text: string): void {
  process.stderr.write(`bench: ${text}\n`);
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const loadBefore = os.loadavg()[0] ?? 0;
  const emulator = await startEmulator({ port: 0, jobDurationMs: 50 });
  const policyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsg-bench-policy-'));
  try {
    // As production runs: the policy is a file of the package, with its build-checked form beside it.
    const policies = {
      act: packagedPolicy(path.dirname(BUNDLE), policyDir, 'act-every-time', ACT_EVERY_TIME_POLICY),
      storm: packagedPolicy(path.dirname(BUNDLE), policyDir, 'storm', STORM_POLICY),
    };
    const env = functionEnv(emulator.url, policies.act);
    // Informational: the same policy inline in GUARD_POLICY, which no build can check (validated on each cold start).
    const inlineEnv = functionEnv(emulator.url, ACT_EVERY_TIME_POLICY);

    step('bundle sizes (dist/meta.json)');
    const bundles = bundleFiles(ROOT);

    const oneLineHandler = path.join(__dirname, 'one-line-handler.js');
    fs.writeFileSync(oneLineHandler, ONE_LINE_HANDLER);
    const coldCases = [
      emptyCase(env),
      oneLineHandlerCase(oneLineHandler, env),
      probeCase('b', 'rejected event', BUNDLE, eventOf('rejected', 'cold'), 'rejected', env),
      probeCase('s1', 'skipped: recovered alarm', BUNDLE, eventOf('recovered', 'cold'), 'skipped_recovered', env),
      probeCase('s2', 'skipped: no rule matches', BUNDLE, eventOf('no_match', 'cold'), 'skipped_no_rule', env),
      probeCase('s2′', 'no rule, policy inline (info)', BUNDLE, eventOf('no_match', 'cold'), 'skipped_no_rule', inlineEnv),
      probeCase('c', 'node alarm → kill', BUNDLE, eventOf('node_kill', 'cold'), 'executed', env),
    ];
    step(`cold starts: ${SETTINGS.coldRounds} rounds of ${coldCases.length} fresh processes`);
    const cold = await measureColdStarts(coldCases, SETTINGS.coldRounds);

    const { warm, idleMaxRssBytes } = await warmSection(emulator, env);

    const missing = redisServerMissing();
    const storms: StormResult[] = [];
    let memory = null;
    if (missing !== null) {
      step(`storm skipped: ${missing}`);
    } else {
      step(`storm: ${SETTINGS.stormDeliveries} deliveries, ${SETTINGS.stormCallers} callers, Redis guard store (one redis-server)`);
      const redis = (await startRedisServer())!;
      try {
        const run = await stormOn('redis', emulator, [redis], redis.url, policies.storm);
        storms.push(run.storm);
        memory = { idleMaxRssBytes, ...run.memory };
      } finally {
        await redis.stop();
      }
      step(`storm: the same on a native Redis Cluster of 3 nodes (redis+cluster://)`);
      const cluster = (await startRedisCluster())!;
      try {
        storms.push((await stormOn('redis-cluster', emulator, cluster.nodes.map((n) => n.server), cluster.url, policies.storm)).storm);
      } finally {
        await cluster.stop();
      }
    }

    step(`precision action: choose over 10,000 sessions ×${SETTINGS.precisionChooseRounds}, scan → kill on a 10,000-session node ×${SETTINGS.precisionEndToEndRounds}`);
    const precision = await measurePrecision({ choose: SETTINGS.precisionChooseRounds, endToEnd: SETTINGS.precisionEndToEndRounds });

    const results: BenchResults = {
      machine: {
        node: process.version,
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        totalMemBytes: os.totalmem(),
        platform: `${os.platform()} ${os.release()}`,
        // Other work on the machine moves every figure: the 1-minute load average, before and after.
        loadAverage: [loadBefore, os.loadavg()[0] ?? 0],
      },
      settings: SETTINGS,
      date: new Date(startedAt).toISOString(),
      durationSeconds: (Date.now() - startedAt) / 1000,
      cold,
      warm,
      storms,
      stormSkipped: missing,
      bundles,
      memory,
      precision,
      verdicts: [],
    };
    results.verdicts = verdicts(results);
    printReport(results);
    fs.writeFileSync(path.join(ROOT, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    step(`wrote bench/results.json (${results.durationSeconds.toFixed(0)} s)`);
  } finally {
    await emulator.close();
    fs.rmSync(policyDir, { recursive: true, force: true });
  }
}

/** The storm in warm function processes whose guard store is `url`; their peak memory after it. */
async function stormOn(store: StormResult['store'], emulator: Awaited<ReturnType<typeof startEmulator>>, servers: RedisServerHandle[], url: string, policy: string) {
  const stormEnv = functionEnv(emulator.url, policy, { GUARD_REDIS_URL: url });
  const fns: WarmFunction[] = [];
  try {
    for (let i = 0; i < SETTINGS.stormProcesses; i++) fns.push((await WarmFunction.start(WORKER, BUNDLE, stormEnv)).fn);
    // Warm containers: policy read, schemas built, code hot (recovered alarms decide without DCS or guard).
    for (const f of fns) {
      await f.ask({ type: 'prepare', kind: 'recovered', tag: 'stormwarm', count: 200 }, 'prepared');
      await f.ask({ type: 'run', concurrency: 1 }, 'run');
    }
    const storm = await runStorm(store, fns, emulator, servers, SETTINGS.stormDeliveries, SETTINGS.stormCallers);
    const peaks = await Promise.all(fns.map((f) => f.ask({ type: 'memory' }, 'memory')));
    return { storm, memory: { afterStormMaxRssBytes: Math.max(...peaks.map((p) => p.maxRssBytes)), heapUsedBytes: Math.max(...peaks.map((p) => p.heapUsedBytes)) } };
  } finally {
    await Promise.all(fns.map((f) => f.stop()));
  }
}

/** Section (2): one warm function process per kind, each measured early and steady. */
async function warmSection(emulator: Emulator, env: NodeJS.ProcessEnv) {
  step(`warm overhead: ${SETTINGS.warmEvents} events per kind early and ${SETTINGS.warmEvents} steady, each paired with the bare sdk-core floor`);
  // One warm process per kind: a kill kind grows the memory guard's breaker history by one kill per event.
  const warm = [];
  let idleMaxRssBytes = 0;
  for (const kind of WARM_KINDS) {
    const started = await WarmFunction.start(WORKER, BUNDLE, env);
    idleMaxRssBytes = started.idleMaxRssBytes;
    try {
      warm.push(await measureWarm(started.fn, emulator, kind, { warmup: SETTINGS.warmup, settle: SETTINGS.warmSettle, events: SETTINGS.warmEvents }));
    } finally {
      await started.fn.stop();
    }
  }
  return { warm, idleMaxRssBytes };
}

/** `npm run bench -- warm`: section (2) alone, printed with its verdicts, results.json left as it is. */
async function warmOnly(): Promise<void> {
  const emulator = await startEmulator({ port: 0, jobDurationMs: 50 });
  const policyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsg-bench-policy-'));
  try {
    const env = functionEnv(emulator.url, packagedPolicy(path.dirname(BUNDLE), policyDir, 'act-every-time', ACT_EVERY_TIME_POLICY));
    const { warm } = await warmSection(emulator, env);
    const lines: string[] = [];
    const say = (s = '') => lines.push(s);
    printWarm(warm, SETTINGS, say);
    for (const v of warmVerdicts(warm)) say(`    ${v.pass ? 'PASS' : 'MISS'}  ${v.target}  ${v.measured}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await emulator.close();
    fs.rmSync(policyDir, { recursive: true, force: true });
  }
}

/** `npm run bench -- precision`: section (6) alone, printed, results.json left as it is. */
async function precisionOnly(): Promise<void> {
  step('precision action only');
  const precision = await measurePrecision({ choose: SETTINGS.precisionChooseRounds, endToEnd: SETTINGS.precisionEndToEndRounds });
  const lines: string[] = [];
  printPrecision(precision, (s = '') => lines.push(s));
  const v = precisionVerdict(precision);
  lines.push(`    ${v.pass ? 'PASS' : 'MISS'}  ${v.target}  ${v.measured}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

const SECTIONS: Record<string, () => Promise<void>> = { precision: precisionOnly, warm: warmOnly };
(SECTIONS[process.argv[2] ?? ''] ?? main)().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
