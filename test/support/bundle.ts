import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixture as readFixture } from '../events/support/fixtures';
import { captureOutput } from './output-capture';

export const ROOT = path.resolve(__dirname, '..', '..');

export type FunctionName = 'alarm' | 'cron';

export interface ContextSpec {
  requestId?: string;
  /** What getRemainingTimeInMilliSeconds() says when the handler is called; it counts down from there. */
  remainingMs?: number;
  /** FunctionGraph's timeout for real: the process is SIGKILLed this long after the handler was called (no result then). */
  stopAfterMs?: number;
  ak?: string;
  sk?: string;
  token?: string;
}

export interface InvokeOptions {
  env?: Record<string, string | undefined>;
  context?: ContextSpec;
  /** How many events run at once inside the one warm container. */
  concurrency?: number;
}

export interface Invocation<R = any> {
  /** One entry per event: the handler's return value, or what it threw. */
  results: Array<{ ok: true; value: R } | { ok: false; error: string }>;
  /** Every JSON line the function printed. */
  lines: Array<Record<string, any>>;
  audit: Array<Record<string, any>>;
  stdout: string;
  stderr: string;
  exitCode: number | null;
}

/** Reads a sample event (test/fixtures/events). */
export const fixture = (name: string): any => readFixture(name);

/** Runs the BUILT bundle (dist/<fn>/index.js) in a fresh node process, like a cold FunctionGraph container. */
export async function invokeBundle<R = any>(fn: FunctionName, events: unknown[], opts: InvokeOptions = {}): Promise<Invocation<R>> {
  const resultFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dsg-invoke-')), 'results.json');
  const job = {
    bundle: path.join(ROOT, 'dist', fn, 'index.js'),
    events,
    concurrency: opts.concurrency ?? 1,
    context: opts.context,
    resultFile,
  };
  const env = cleanEnv(opts.env ?? {});
  const child = spawn(process.execPath, [path.join(__dirname, 'invoke-child.js')], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.end(JSON.stringify(job));
  const exitCode: number | null = await new Promise((resolve) => child.on('close', resolve));
  captureOutput(`invoke ${fn}`, stdout, stderr);
  const results = fs.existsSync(resultFile) ? JSON.parse(fs.readFileSync(resultFile, 'utf8')) : [];
  const lines = stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
  return { results, lines, audit: lines.filter((l) => l.type === 'audit'), stdout, stderr, exitCode };
}

/** The child sees only what the test gives it (plus PATH/HOME), never the developer's cloud credentials. */
function cleanEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: os.tmpdir(), NODE_ENV: 'test' };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}
