/**
 * Cold start pays only for what the event needs (docs/performance.md). The
 * function bundles keep sdk-core, ioredis and yaml out of index.js, in files
 * beside it (sdk.js, redis.js, yaml.js) that index.js requires on first need.
 *
 * Two checks, neither timed:
 * - the build: index.js holds none of those packages (so they cannot be
 *   evaluated with it), and the lazy files hold them;
 * - the runtime: in a fresh process, which of those files an event made Node
 *   load (they are real files, so require.cache tells the truth), from a
 *   rejected event (none) to a kill at the emulator (sdk.js).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { startEmulator, type Emulator } from '../../dev/emulator/server';
import { ACT_EVERY_TIME_POLICY, eventOf, functionEnv, type EventKind } from '../../bench/scenario';
import { ROOT } from '../support/bundle';
import { captureOutput } from '../support/output-capture';

const FUNCTIONS = ['alarm', 'cron'] as const;
const LAZY_FILES = ['sdk.js', 'redis.js', 'yaml.js'];
/** npm packages that must never be inside index.js. */
const HEAVY = /node_modules\/(@huaweicloud|axios|log4js|lodash|moment|mime-db|ioredis|@ioredis|yaml)\//;

interface Metafile {
  outputs: Record<string, { inputs: Record<string, unknown> }>;
}
const meta = (): Record<string, Metafile> => JSON.parse(fs.readFileSync(path.join(ROOT, 'dist', 'meta.json'), 'utf8'));
const inputsOf = (fn: string, file: string): string[] => Object.keys(meta()[fn]?.outputs[`dist/${fn}/${file}`]?.inputs ?? {});

describe.each(FUNCTIONS)('dist/%s build', (fn) => {
  it('keeps sdk-core, ioredis and yaml out of index.js', () => {
    const inputs = inputsOf(fn, 'index.js');
    expect(inputs.length).toBeGreaterThan(0);
    expect(inputs.filter((i) => HEAVY.test(i))).toEqual([]);
  });

  it('puts them in the files index.js requires by name', () => {
    expect(inputsOf(fn, 'sdk.js').some((i) => i.includes('node_modules/@huaweicloud/huaweicloud-sdk-core/'))).toBe(true);
    expect(inputsOf(fn, 'redis.js').some((i) => i.includes('node_modules/ioredis/'))).toBe(true);
    expect(inputsOf(fn, 'yaml.js').some((i) => i.includes('node_modules/yaml/'))).toBe(true);
    const code = fs.readFileSync(path.join(ROOT, 'dist', fn, 'index.js'), 'utf8');
    for (const file of LAZY_FILES) expect(code).toContain(`require("./${file}")`);
  });

  it('bundles zod without its locales (namespace imports let esbuild drop them)', () => {
    const locales = inputsOf(fn, 'index.js').filter((i) => i.includes('node_modules/zod/v4/locales/'));
    expect(locales).toEqual(['node_modules/zod/v4/locales/en.js']);
  });
});

/** Handles one event in a fresh process and reports the decision and which lazy files Node loaded. */
const PROBE = `
const path = require('node:path');
const [bundle, event] = process.argv.slice(1);
require(bundle).handler(JSON.parse(event), { getRequestID: () => 'lazy-probe' }).then((r) => {
  const dir = path.dirname(bundle);
  const loaded = Object.keys(require.cache).filter((f) => path.dirname(f) === dir).map((f) => path.basename(f)).sort();
  const tls = process.moduleLoadList.some((m) => /^NativeModule (tls|https|_tls_wrap)$/.test(m));
  process.stderr.write('PROBE ' + JSON.stringify({ decisions: r.results.map((x) => x.decision), loaded, tls }) + '\\n');
  process.exit(0);
});`;

/** decisions, our files loaded, and whether Node's TLS was (about 10 ms of a cold start: only for events that go to DCS or SMN). */
async function probe(kind: EventKind, env: NodeJS.ProcessEnv): Promise<{ decisions: string[]; loaded: string[]; tls: boolean }> {
  const bundle = path.join(ROOT, 'dist', 'alarm', 'index.js');
  const child = spawn(process.execPath, ['-e', PROBE, bundle, JSON.stringify(eventOf(kind, `lazy${kind}`))], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  await new Promise((resolve) => child.on('close', resolve));
  captureOutput(`lazy-loading ${kind}`, stdout, stderr);
  const line = stderr.split('\n').find((l) => l.startsWith('PROBE '));
  if (!line) throw new Error(`probe printed no result: ${stderr}`);
  return JSON.parse(line.slice('PROBE '.length));
}

/** A loopback port with nothing listening: a Redis guard store there is built (redis.js loaded), then unreachable. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('what a cold start loads, by event (dist/alarm, fresh process each)', () => {
  let emulator: Emulator;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, jobDurationMs: 50 });
    env = functionEnv(emulator.url, ACT_EVERY_TIME_POLICY);
  });
  afterAll(() => emulator.close());

  it('a rejected event: index.js only (no policy, no SDK, no Redis client)', async () => {
    expect(await probe('rejected', env)).toEqual({ decisions: ['rejected'], loaded: ['index.js'], tls: false });
  });

  it('an alarm decided from the policy alone: yaml.js for the policy, still no SDK', async () => {
    expect(await probe('recovered', env)).toEqual({ decisions: ['skipped_recovered'], loaded: ['index.js', 'yaml.js'], tls: false });
    expect(await probe('no_match', env)).toEqual({ decisions: ['skipped_no_rule'], loaded: ['index.js', 'yaml.js'], tls: false });
  });

  it('a kill: sdk.js on the first DCS call; no Redis client with the memory guard store', async () => {
    expect(await probe('node_kill', env)).toMatchObject({ decisions: ['executed'], loaded: ['index.js', 'sdk.js', 'yaml.js'] });
    expect(emulator.requests.map((r) => r.operation)).toContain('hangUpKillAllClients');
  });

  it('GUARD_REDIS_URL set: redis.js once the guard is consulted (here unreachable, so it fails closed before any DCS write)', async () => {
    const redisEnv = { ...env, GUARD_REDIS_URL: `redis://127.0.0.1:${await closedPort()}` };
    const kills = emulator.requests.filter((r) => r.operation === 'hangUpKillAllClients').length;
    const run = await probe('node_kill', redisEnv);
    expect(run.decisions).toEqual(['failed']);
    expect(run.loaded).toContain('redis.js');
    expect(emulator.requests.filter((r) => r.operation === 'hangUpKillAllClients').length).toBe(kills);
  });
});
