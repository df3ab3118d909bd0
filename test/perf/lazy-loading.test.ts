/**
 * Cold start pays only for what the event needs (docs/performance.md). The
 * function bundles keep sdk-core, ioredis, yaml, the policy schema and our
 * acting code out of index.js, in files beside it (sdk.js, redis.js, yaml.js,
 * policy-schema.js, act.js) that are required on first need.
 *
 * Two checks, neither timed:
 * - the build: index.js holds none of those packages (so they cannot be
 *   evaluated with it), and the lazy files hold them;
 * - the runtime: in a fresh process, which of those files an event made Node
 *   load (they are real files, so require.cache tells the truth), from a
 *   rejected event (none) to a kill at the emulator (sdk.js). The policy is a
 *   file with its build-checked form beside it, as the package ships it.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEmulator, type Emulator } from '../../dev/emulator/server';
import { ACT_EVERY_TIME_POLICY, eventOf, functionEnv, packagedPolicy, type EventKind } from '../../bench/scenario';
import { ROOT } from '../support/bundle';
import { probeFresh } from '../support/fresh-probe';

const FUNCTIONS = ['alarm', 'cron'] as const;
/** What index.js requires itself; act.js requires sdk.js and redis.js. */
const LAZY_FILES = ['act.js', 'policy-schema.js'];
/** Our acting code: only in act.js, never compiled by an event that does not act. */
const ACTING = /^lib\/(actions|sessions|snapshot|targets|notify|history|metrics|auth)\/|^lib\/pipeline\/executor\.ts$|^lib\/dcs\/(client|sdk-core|config)\.ts$|^lib\/guard\/(memory|redis)-store\.ts$/;
/** npm packages that must never be inside index.js. */
const HEAVY = /node_modules\/(@huaweicloud|axios|log4js|lodash|moment|mime-db|ioredis|@ioredis|yaml)\//;

interface Metafile {
  inputs: Record<string, { imports: Array<{ path: string; original?: string }> }>;
  outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
}
const meta = (): Record<string, Metafile> => JSON.parse(fs.readFileSync(path.join(ROOT, 'dist', 'meta.json'), 'utf8'));
/** The source files that put code into dist/<fn>/<file> (a re-export index tree-shaken to nothing puts none). */
const inputsOf = (fn: string, file: string): string[] =>
  Object.entries(meta()[fn]?.outputs[`dist/${fn}/${file}`]?.inputs ?? {}).filter(([, i]) => i.bytesInOutput > 0).map(([name]) => name);

describe.each(FUNCTIONS)('dist/%s build', (fn) => {
  it('keeps sdk-core, ioredis and yaml out of index.js', () => {
    const inputs = inputsOf(fn, 'index.js');
    expect(inputs.length).toBeGreaterThan(0);
    expect(inputs.filter((i) => HEAVY.test(i))).toEqual([]);
  });

  it('keeps the policy schema and the full validation out of index.js', () => {
    const ours = (file: string) => inputsOf(fn, file).filter((i) => i.startsWith('lib/policy/') && (meta()[fn]?.outputs[`dist/${fn}/${file}`]?.inputs[i] as { bytesInOutput: number }).bytesInOutput > 0);
    expect(ours('index.js').filter((i) => /\/(schema|validate|validate-module|yaml-module)\.ts$/.test(i))).toEqual([]);
    expect(ours('policy-schema.js')).toEqual(expect.arrayContaining(['lib/policy/schema.ts', 'lib/policy/validate.ts']));
    // One PolicyError class, in index.js: the validator hands back plain data (instanceof holds).
    expect(fs.readFileSync(path.join(ROOT, 'dist', fn, 'policy-schema.js'), 'utf8')).not.toContain('PolicyError');
  });

  it('puts them in the files index.js requires by name', () => {
    expect(inputsOf(fn, 'sdk.js').some((i) => i.includes('node_modules/@huaweicloud/huaweicloud-sdk-core/'))).toBe(true);
    expect(inputsOf(fn, 'redis.js').some((i) => i.includes('node_modules/ioredis/'))).toBe(true);
    expect(inputsOf(fn, 'yaml.js').some((i) => i.includes('node_modules/yaml/'))).toBe(true);
    expect(inputsOf(fn, 'policy-schema.js').some((i) => i.includes('node_modules/zod/'))).toBe(true);
    // yaml is required by the validator, not by index.js.
    expect(fs.readFileSync(path.join(ROOT, 'dist', fn, 'policy-schema.js'), 'utf8')).toContain('require("./yaml.js")');
    const code = fs.readFileSync(path.join(ROOT, 'dist', fn, 'index.js'), 'utf8');
    for (const file of LAZY_FILES) expect(code).toContain(`require("./${file}")`);
    const act = fs.readFileSync(path.join(ROOT, 'dist', fn, 'act.js'), 'utf8');
    for (const file of ['sdk.js', 'redis.js']) expect(act).toContain(`require("./${file}")`);
  });

  it('keeps the acting code (DCS client, guard stores, executor, actions, targets, SMN authentication, sinks) in act.js alone', () => {
    expect(inputsOf(fn, 'index.js').filter((i) => ACTING.test(i))).toEqual([]);
    expect(inputsOf(fn, 'act.js')).toEqual(expect.arrayContaining(['lib/pipeline/executor.ts', 'lib/dcs/client.ts', 'lib/guard/memory-store.ts', 'lib/actions/kill-all.ts']));
  });

  it('reads events in plain code: no zod in index.js or act.js (only the full policy validation carries it)', () => {
    for (const file of ['index.js', 'act.js']) expect(inputsOf(fn, file).filter((i) => i.includes('node_modules/zod/'))).toEqual([]);
  });
});

/**
 * decisions, our files loaded, whether Node's TLS was (about 10 ms of a cold start: only for
 * events that go to DCS or SMN), and whether the bundle asked for node:crypto.
 */
async function probe(kind: EventKind, env: NodeJS.ProcessEnv): Promise<{ decisions: string[]; loaded: string[]; tls: boolean; crypto: boolean }> {
  const { results, loaded, tls, crypto } = await probeFresh(path.join(ROOT, 'dist', 'alarm', 'index.js'), eventOf(kind, `lazy${kind}`), env, `lazy-loading ${kind}`);
  return { decisions: results.map((r) => r.decision), loaded, tls, crypto };
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
  let policyDir: string;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, jobDurationMs: 50 });
    policyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsg-lazy-policy-'));
    env = functionEnv(emulator.url, packagedPolicy(path.join(ROOT, 'dist', 'alarm'), policyDir, 'policy', ACT_EVERY_TIME_POLICY));
  });
  afterAll(async () => {
    await emulator.close();
    fs.rmSync(policyDir, { recursive: true, force: true });
  });

  it('a rejected event: index.js only (no policy, no SDK, no Redis client)', async () => {
    expect(await probe('rejected', env)).toEqual({ decisions: ['rejected'], loaded: ['index.js'], tls: false, crypto: false });
  });

  it('an alarm decided from a build-checked policy: index.js only (no schema, no yaml, no SDK)', async () => {
    expect(await probe('recovered', env)).toEqual({ decisions: ['skipped_recovered'], loaded: ['index.js'], tls: false, crypto: false });
    expect(await probe('no_match', env)).toEqual({ decisions: ['skipped_no_rule'], loaded: ['index.js'], tls: false, crypto: false });
  });

  it('an inline JSON policy: the schema (policy-schema.js), but no yaml', async () => {
    expect(await probe('no_match', functionEnv(emulator.url, ACT_EVERY_TIME_POLICY))).toEqual({ decisions: ['skipped_no_rule'], loaded: ['index.js', 'policy-schema.js'], tls: false, crypto: false });
  });

  it('the policy file edited after its check: validated in full (policy-schema.js and yaml.js)', async () => {
    const file = path.join(policyDir, 'edited.yaml');
    fs.writeFileSync(file, `${fs.readFileSync(path.join(policyDir, 'policy.yaml'), 'utf8')}# edited\n`);
    fs.copyFileSync(path.join(policyDir, 'policy.checked.json'), path.join(policyDir, 'edited.checked.json'));
    expect(await probe('no_match', functionEnv(emulator.url, file))).toEqual({ decisions: ['skipped_no_rule'], loaded: ['index.js', 'policy-schema.js', 'yaml.js'], tls: false, crypto: false });
  });

  it('a kill: act.js once it may act, sdk.js on the first DCS call; no Redis client with the memory guard store', async () => {
    expect(await probe('node_kill', env)).toMatchObject({ decisions: ['executed'], loaded: ['act.js', 'index.js', 'sdk.js'] });
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
