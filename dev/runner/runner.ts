/**
 * The local runner (`npm start`, `dcs-session-guard serve`): the DCS emulator (or a real DCS
 * API), the two built functions each in its own warm "container" process, and a local gateway
 * that triggers them the way FunctionGraph does. Everything it starts, stop() stops.
 */
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { startEmulator, type Emulator, type EmulatorOptions, type RecordedRequest } from '../emulator/server';
import { err, ok, type Result } from '../../lib/domain/types';
import { readBooleanSetting } from '../../lib/domain/settings';
import { loadPolicy } from '../../lib/policy';
import { AuditTrail } from './audit-trail';
import { openDemoClients, type DemoClients } from './demo-clients';
import type { LocalDeployment } from './events';
import { FunctionHost } from './function-host-client';
import { startGateway, type Gateway } from './gateway';
import { FUNCTION_KINDS, FUNCTION_NAMES, type FunctionKind, type Layout } from './layout';
import { formatOutputLine, parseOutputLine } from './output-lines';
import { findOnPath, hasNodeAddresses } from './redis-support';
import { chooseTarget, DEMO, functionEnv, LOCAL_GATEWAY_ENV, type Env, type RunnerTarget } from './target';
import { banner } from './banner';
import { startFgEmulator, type FgEmulator } from '../fg-emulator/server';
import { startLocalSinks, type LocalSinks } from './local-sinks';
import { startGuardStore } from './guard-store';
import type { LoadedPolicyView } from './policy-preview';

/** serverless.yml gives both functions 60 s. */
const FUNCTION_TIMEOUT_MS = 60_000;
/** Kill jobs in the demo take half a second, so the audit line shows SUCCESS. */
const DEMO_JOB_MS = 500;
const DEMO_CLIENT_COUNT = 5;
/** Demo clients that keep talking: a precision action selecting idle sessions leaves them running. */
const DEMO_BUSY_CLIENT_COUNT = 2;

export interface RunnerOptions {
  layout: Layout;
  /** The user's environment (process.env). */
  env: Env;
  /** Relative paths (--policy, GUARD_POLICY) resolve against it. */
  cwd: string;
  host: string;
  port: number;
  emulatorPort: number;
  /** Real DCS API only: act for real instead of forcing GUARD_DRY_RUN=true. */
  live: boolean;
  /** --policy: overrides the demo policy (emulator) or GUARD_POLICY (real API). */
  policy: string | null;
  /** false (--no-redis): simulated sessions even when redis-server is available. */
  realRedis: boolean;
  /** Print the functions' JSON lines as they are instead of pretty. */
  raw: boolean;
  print: (line: string) => void;
}

export interface Runner {
  gatewayUrl: string;
  emulatorUrl: string | null;
  /** Pids of the function containers (for diagnostics and tests). */
  functionPids(): number[];
  stop(): Promise<void>;
}

export interface RunnerError {
  /** config: the environment is incomplete; policy_invalid: the policy does not load; start_failed: a part did not start. */
  code: 'config' | 'policy_invalid' | 'start_failed';
  message: string;
  details: string[];
}

type Cleanup = () => Promise<void>;

export async function startRunner(opts: RunnerOptions): Promise<Result<Runner, RunnerError>> {
  const target = chooseTarget(opts.env, opts.live);
  if (!target.ok) return err({ code: 'config', message: target.error.message, details: [] });

  const { path: policyPath, origin } = policySetting(target.value, opts);
  const policy = checkPolicy(target.value, opts, policyPath, origin);
  if (!policy.ok) return policy;

  const cleanups: Cleanup[] = [];
  const stopAll = async (): Promise<void> => {
    while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
  };
  try {
    const started = await startParts(opts, target.value, { path: policyPath, origin }, cleanups);
    if (!started.ok) {
      await stopAll();
      return started;
    }
    opts.print(banner({ ...started.value.info, policy: policy.value, layout: opts.layout, cwd: opts.cwd }));
    if (started.value.functionGraph) opts.print(deployHint(started.value.functionGraph, opts));
    return ok({
      gatewayUrl: started.value.gateway.url,
      emulatorUrl: started.value.emulator?.url ?? null,
      functionPids: () => Object.values(started.value.hosts).map((h) => h.pid).filter((p): p is number => p !== null),
      stop: stopAll,
    });
  } catch (e) {
    await stopAll();
    return err({ code: 'start_failed', message: describeStartFailure(e, opts), details: [] });
  }
}

/** Where the functions' policy comes from, as the banner says it. */
export type PolicyOrigin = '--policy' | 'GUARD_POLICY' | 'demo policy' | 'packaged policy';

/** The GUARD_POLICY the functions get: --policy, else the user's GUARD_POLICY, else the demo policy (emulator) or the packaged one. */
function policySetting(target: RunnerTarget, opts: RunnerOptions): { path: string | null; origin: PolicyOrigin } {
  const fromEnv = opts.env.GUARD_POLICY?.trim() || null;
  const [chosen, origin]: [string | null, PolicyOrigin] =
    opts.policy !== null ? [opts.policy, '--policy']
    : fromEnv !== null ? [fromEnv, 'GUARD_POLICY']
    : target.kind === 'emulator' ? [opts.layout.demoPolicy, 'demo policy']
    : [null, 'packaged policy'];
  if (chosen === null || chosen.startsWith('{')) return { path: chosen, origin };
  return { path: path.resolve(opts.cwd, chosen), origin };
}

export interface PolicySummary extends LoadedPolicyView {
  source: string;
  origin: PolicyOrigin;
}

/** Loads the policy the functions will load, so a broken one stops the runner before anything starts. */
function checkPolicy(target: RunnerTarget, opts: RunnerOptions, policyPath: string | null, origin: PolicyOrigin): Result<PolicySummary, RunnerError> {
  const env = functionEnv(target, opts.env, { emulatorUrl: null, policyPath });
  const loaded = loadPolicy({ env: { GUARD_POLICY: env.GUARD_POLICY, GUARD_DRY_RUN: env.GUARD_DRY_RUN }, defaultPath: opts.layout.packagedPolicy('alarm'), baseDir: opts.cwd });
  if (!loaded.ok) return err({ code: 'policy_invalid', message: 'The policy does not load:', details: loaded.error.formatAll() });
  return ok({ source: loaded.value.source, origin, policy: loaded.value.policy, forcedDryRun: loaded.value.forcedDryRun });
}

export interface RunningInfo {
  target: RunnerTarget;
  gatewayUrl: string;
  emulatorUrl: string | null;
  /** Why sessions are simulated, or null when every node is a real redis-server. */
  simulatedBecause: string | null;
  guardStore: string;
  demoClients: string[];
  functions: Array<{ kind: FunctionKind; bundle: string; pid: number | null }>;
  localGatewayEnv: Record<string, string>;
  /** Emulator mode with the demo policy: where notifications, metrics and the history go. */
  sinks: LocalSinks['info'] | null;
}

interface Parts {
  gateway: Gateway;
  emulator: Emulator | null;
  /** The FunctionGraph API emulator `deploy` can be tried against (emulator mode only). */
  functionGraph: FgEmulator | null;
  hosts: Record<FunctionKind, FunctionHost>;
  info: RunningInfo;
}

async function startParts(opts: RunnerOptions, target: RunnerTarget, policy: { path: string | null; origin: PolicyOrigin }, cleanups: Cleanup[]): Promise<Result<Parts, RunnerError>> {
  const { path: policyPath, origin } = policy;
  const emulated = target.kind === 'emulator' ? await startDemoEmulator(opts) : null;
  if (emulated) cleanups.push(() => emulated.emulator.close());
  const emulator = emulated?.emulator ?? null;
  const functionGraph = emulated ? await startFgEmulator({ credentials: [{ ak: DEMO.ak, sk: DEMO.sk, projectId: DEMO.projectId }], region: DEMO.region }) : null;
  if (functionGraph) cleanups.push(() => functionGraph.close());
  // --no-redis is about the emulated nodes only: the guard store is shared whenever redis-server exists.
  const guardStore = await startGuardStore({ userEnv: opts.env, useUserRedis: target.kind === 'cloud', noRedisBecause: redisServerMissing(opts) });
  cleanups.push(() => guardStore.stop());

  const env = functionEnv(target, opts.env, { emulatorUrl: emulator?.url ?? null, policyPath, guardRedisUrl: guardStore.redisUrl });
  // The demo's sinks (SMN, webhook, metrics, history in the guard store's Redis) go with the demo policy only.
  const sinks = emulator && origin === 'demo policy' ? await startLocalSinks(emulator.url, opts.print, guardStore) : null;
  if (sinks) {
    cleanups.push(() => sinks.close());
    Object.assign(env, sinks.env, demoPolicyWithSinks(opts, sinks));
  }
  const trail = new AuditTrail();
  const hosts = {} as Record<FunctionKind, FunctionHost>;
  for (const kind of FUNCTION_KINDS) {
    hosts[kind] = new FunctionHost({
      name: kind,
      functionName: FUNCTION_NAMES[kind],
      bundle: opts.layout.bundle(kind),
      hostScript: opts.layout.functionHost,
      env,
      onLine: (text) => showFunctionLine(kind, text, trail, opts),
      onStderr: (text) => text.split('\n').filter((l) => l !== '').forEach((l) => opts.print(`[${kind}] stderr: ${l}`)),
    });
    cleanups.push(() => hosts[kind].stop());
    const warm = await hosts[kind].warmUp();
    if (!warm.ok) return err({ code: 'start_failed', message: `The ${kind} function does not load: ${warm.error}`, details: [] });
  }

  const demo = emulated?.demoClients ?? null;
  if (demo) cleanups.push(() => demo.close());

  const deployment: LocalDeployment = {
    projectId: target.kind === 'emulator' ? DEMO.projectId : target.projectId,
    region: opts.env.DCS_REGION?.trim() || DEMO.region,
    apiId: 'local-gateway',
    alarmFunction: FUNCTION_NAMES.alarm,
  };
  const gateway = await startGateway(
    { host: opts.host, port: opts.port },
    {
      deployment,
      invoke: (fn, event) => hosts[fn].invoke(event, { requestId: randomUUID(), timeoutMs: FUNCTION_TIMEOUT_MS }),
      auditRecords: () => trail.all(),
      reopenDemoClients: demo ? () => demo.reopen() : null,
      kills: () => (emulator ? emulator.requests.filter((r) => r.operation === 'hangUpKillAllClients').map(killView) : null),
      status: () => ({
        mode: target.kind,
        dcsEndpoint: emulator?.url ?? (target.kind === 'cloud' ? target.endpoint : null),
        // Read like the function reads it (" TRUE" forces a dry run there too).
        dryRunForced: ((r) => r.ok && r.value)(readBooleanSetting('GUARD_DRY_RUN', env.GUARD_DRY_RUN)),
        policy: policyPath ?? 'packaged policy.yaml',
        functions: Object.fromEntries(FUNCTION_KINDS.map((k) => [k, { bundle: opts.layout.bundle(k), pid: hosts[k].pid }])),
        demoClients: demo?.connected() ?? null,
      }),
      print: opts.print,
    },
  );
  cleanups.push(() => gateway.close());

  return ok({
    gateway,
    emulator,
    functionGraph,
    hosts,
    info: {
      target,
      gatewayUrl: gateway.url,
      emulatorUrl: emulator?.url ?? null,
      simulatedBecause: emulated?.simulatedBecause ?? null,
      guardStore: guardStore.description,
      demoClients: demo?.connected() ?? [],
      functions: FUNCTION_KINDS.map((kind) => ({ kind, bundle: opts.layout.bundle(kind), pid: hosts[kind].pid })),
      localGatewayEnv: { ...LOCAL_GATEWAY_ENV },
      sinks: sinks?.info ?? null,
    },
  });
}

/** GUARD_POLICY: the demo policy (already checked) with the local sinks added, inline. */
function demoPolicyWithSinks(opts: RunnerOptions, sinks: LocalSinks): { GUARD_POLICY: string } | Record<string, never> {
  const loaded = loadPolicy({ env: { GUARD_POLICY: opts.layout.demoPolicy }, defaultPath: opts.layout.demoPolicy, baseDir: opts.cwd });
  return loaded.ok ? { GUARD_POLICY: JSON.stringify(sinks.policy(loaded.value.policy)) } : {};
}

function describeStartFailure(e: unknown, opts: RunnerOptions): string {
  const error = e as { code?: unknown; port?: unknown; message?: unknown };
  if (error?.code === 'EADDRINUSE') return `port ${String(error.port ?? opts.port)} on ${opts.host} is in use: pass --port N (or --emulator-port N; 0 picks a free port)`;
  return typeof error?.message === 'string' ? error.message : String(e);
}

function showFunctionLine(kind: FunctionKind, text: string, trail: AuditTrail, opts: RunnerOptions): void {
  const line = parseOutputLine(text);
  if (line.kind === 'audit') trail.add(line.record);
  opts.print(`[${kind}] ${opts.raw ? text : formatOutputLine(line)}`);
}

function killView(r: RecordedRequest): Record<string, unknown> {
  return { time: new Date(r.time).toISOString(), method: r.method, path: r.path, body: r.body, status: r.status, requestId: r.requestId };
}

function describeDcsRequest(r: RecordedRequest): string {
  const outcome = r.status === null ? 'no answer' : String(r.status);
  return `[dcs] ${r.method} ${r.path} -> ${outcome} ${r.operation}${r.authOk ? '' : ' (auth failed)'}`;
}

interface DemoEmulator {
  emulator: Emulator;
  simulatedBecause: string | null;
  demoClients: DemoClients | null;
}

function redisServerMissing(opts: RunnerOptions): string | null {
  return findOnPath('redis-server', opts.env.PATH) === null ? 'redis-server is not on PATH' : null;
}

/** Why the emulated nodes are not real redis-servers, or null when they may be. */
function noRedisNodesBecause(opts: RunnerOptions): string | null {
  return opts.realRedis ? redisServerMissing(opts) : '--no-redis';
}

/** The emulator on the demo seed, with a real redis-server per node when possible. */
async function startDemoEmulator(opts: RunnerOptions): Promise<DemoEmulator> {
  const base: EmulatorOptions = { port: opts.emulatorPort, host: opts.host, jobDurationMs: DEMO_JOB_MS, onRequest: (r) => opts.print(describeDcsRequest(r)) };
  const why = noRedisNodesBecause(opts);
  if (why !== null) return { emulator: await startEmulator(base), simulatedBecause: why, demoClients: null };

  let emulator: Emulator;
  try {
    // redisNodes: one real redis-server per seeded node (an emulator feature checked at run time).
    emulator = await startEmulator({ ...base, redisNodes: true } as EmulatorOptions);
  } catch (e) {
    const reason = `real Redis nodes did not start (${e instanceof Error ? e.message : String(e)})`;
    return { emulator: await startEmulator(base), simulatedBecause: reason, demoClients: null };
  }
  const address = hasNodeAddresses(emulator) ? emulator.nodeAddress(DEMO.alarmedNodeId) : null;
  if (address === null) return { emulator, simulatedBecause: `the emulator has no real redis-server for node ${DEMO.alarmedNodeId}`, demoClients: null };
  try {
    const demoClients = await openDemoClients({ ...address, count: DEMO_CLIENT_COUNT, busyCount: DEMO_BUSY_CLIENT_COUNT, nodeLabel: `node ${DEMO.alarmedNodeId}`, print: opts.print });
    return { emulator, simulatedBecause: null, demoClients };
  } catch (e) {
    opts.print(`demo clients could not connect to ${address.host}:${address.port}: ${e instanceof Error ? e.message : String(e)}`);
    return { emulator, simulatedBecause: null, demoClients: null };
  }
}

/** After the banner: how to try `deploy` against the emulated FunctionGraph. */
function deployHint(fg: FgEmulator, opts: RunnerOptions): string {
  const file = path.relative(opts.cwd, path.join(path.dirname(opts.layout.demoPolicy), 'demo-deploy.yaml')) || 'dev/runner/demo-deploy.yaml';
  // The demo keys are read from the seed, not printed: output never carries a key (the suites scan for them).
  const seed = (field: 'ak' | 'sk') => `$(node -p "require('./dev/emulator/seeds/demo.json').projects[0].credentials[0].${field}")`;
  const env = `FG_ENDPOINT=${fg.url} HUAWEICLOUD_SDK_AK=${seed('ak')} HUAWEICLOUD_SDK_SK=${seed('sk')}`;
  return [
    `Deploy into the emulated FunctionGraph API (${fg.url}, demo keys):`,
    `  ${env} npx dcs-session-guard deploy ${file} --plan`,
    `  ${env} npx dcs-session-guard deploy ${file}`,
    `  curl -s ${fg.url}/__fg/state    # the functions and triggers it keeps`,
    '',
  ].join('\n');
}
