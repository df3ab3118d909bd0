/**
 * Drives the built CLI (dist/cli.js) as a user would: spawned processes, real HTTP.
 * Everything printed is captured for the suite-wide secret scan.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEmulator, type Emulator } from '../../dev/emulator/server';
import { ROOT } from '../support/bundle';
import { captureOutput } from '../support/output-capture';
import { DEMO, PROJECT } from '../support/scenario';
import { useSuiteResource } from '../support/suite-resource';

export const CLI = path.join(ROOT, 'dist', 'cli.js');
export const SAMPLES = path.join(ROOT, 'dev', 'runner', 'samples');
export const DEMO_POLICY = path.join(ROOT, 'dev', 'runner', 'demo-policy.yaml');
export const ALARMED_NODE = 'eb4debb56ba8d632dae03afc167a8f9b';

/** The DCS API emulator a suite runs the CLI against (fresh state for each test), and the environment that points there. */
export interface EmulatedApi {
  readonly emulator: Emulator;
  /** Demo credentials, project and policy (which ACTS: dryRun false), plus `extra`. */
  env(extra?: Record<string, string>): Record<string, string>;
}

/** Starts the emulator for the enclosing describe block: call it at the top of the block. */
export function useEmulatedApi(): EmulatedApi {
  const emulator = useSuiteResource(() => startEmulator({ port: 0, jobDurationMs: 50 }), { reset: (api) => api.reset(), close: (api) => api.close() });
  return {
    emulator,
    env: (extra = {}) => ({
      DCS_ENDPOINT: emulator.url,
      HUAWEICLOUD_SDK_AK: DEMO.ak,
      HUAWEICLOUD_SDK_SK: DEMO.sk,
      HUAWEICLOUD_SDK_PROJECT_ID: PROJECT,
      GUARD_POLICY: DEMO_POLICY,
      ...extra,
    }),
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Only what the test gives, plus PATH and HOME: never the developer's cloud settings. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: os.tmpdir() };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

export async function runCli(args: string[], opts: { env?: Record<string, string | undefined>; cwd?: string; cli?: string; stdin?: string } = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [opts.cli ?? CLI, ...args], { cwd: opts.cwd ?? ROOT, env: cleanEnv(opts.env), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.end(opts.stdin ?? '');
  const code: number | null = await new Promise((resolve) => child.on('close', resolve));
  captureOutput(`dcs-session-guard ${args.join(' ')}`, stdout, stderr);
  return { code, stdout, stderr };
}

/** A running `dcs-session-guard serve`, started on free ports. */
export class ServeProcess {
  private stdoutText = '';
  private stderrText = '';
  private readonly exited: Promise<number | null>;
  private readonly waiters: Array<() => void> = [];

  private constructor(
    readonly child: ChildProcess,
    readonly label: string,
  ) {
    child.stdout!.on('data', (d) => {
      this.stdoutText += d;
      this.waiters.splice(0).forEach((w) => w());
    });
    child.stderr!.on('data', (d) => (this.stderrText += d));
    this.exited = new Promise((resolve) =>
      child.on('close', (code) => {
        captureOutput(label, this.stdoutText, this.stderrText);
        this.waiters.splice(0).forEach((w) => w());
        resolve(code);
      }),
    );
  }

  /** `ownGroup`: lead a process group, as a shell does for a foreground job (see interruptGroup). */
  static start(args: string[] = [], env: Record<string, string | undefined> = {}, opts: { ownGroup?: boolean } = {}): ServeProcess {
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'], detached: opts.ownGroup === true });
    return new ServeProcess(child, `serve ${args.join(' ')}`);
  }

  /**
   * `npm start` as npm runs it, in its own process group: the package script through `sh -c`,
   * its build step swapped for `true` (the bundles the suite uses are already built).
   */
  static npmStart(): ServeProcess {
    const script = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start!;
    const [build, ...rest] = script.split(' && ');
    if (!build?.startsWith('node esbuild.config.mjs') || rest.length === 0) throw new Error(`unexpected start script: ${script}`);
    const child = spawn('sh', ['-c', `${['true', ...rest].join(' && ')} --port 0`], { cwd: ROOT, env: cleanEnv({}), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    return new ServeProcess(child, 'npm start');
  }

  get stdout(): string {
    return this.stdoutText;
  }

  get stderr(): string {
    return this.stderrText;
  }

  /** Resolves with the first match of `pattern` in stdout (waits for more output); rejects if the process ends first. */
  async waitFor(pattern: RegExp): Promise<RegExpMatchArray> {
    for (;;) {
      const match = this.stdoutText.match(pattern);
      if (match) return match;
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`serve ended before printing ${pattern}:\n${this.stdoutText}\n${this.stderrText}`);
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** The gateway URL, once the runner says it is ready. */
  async ready(): Promise<string> {
    return (await this.waitFor(/^Ready: (http:\/\/127\.0\.0\.1:\d+)$/m))[1]!;
  }

  exitCode(): Promise<number | null> {
    return this.exited;
  }

  /** Ctrl-C, and the exit code. */
  async interrupt(): Promise<number | null> {
    this.child.kill('SIGINT');
    return this.exited;
  }

  /** Ctrl-C in a terminal: SIGINT to the whole foreground process group (start with ownGroup). */
  async interruptGroup(): Promise<number | null> {
    process.kill(-this.child.pid!, 'SIGINT');
    return this.exited;
  }

  /** Last resort for a failed test: never leave a runner behind. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/** Every live descendant of a process (children, grandchildren...), from /proc. */
export function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) parentOf.set(Number(entry), stat.ppid);
  }
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const [child, ppid] of parentOf) {
      if (ppid === parent) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return found;
}

/** True while the process exists and is not a zombie (a zombie has exited: it only waits to be reaped). */
export function isRunning(pid: number): boolean {
  const stat = readStat(pid);
  return stat !== null && stat.state !== 'Z';
}

/**
 * Resolves once none of the processes runs any more. Children that were told to stop may take
 * a moment after their parent exits (e.g. a reaper draining its stdin): wait for them, the test's
 * timeout bounds the wait.
 */
export async function waitUntilGone(pids: readonly number[]): Promise<void> {
  while (pids.some(isRunning)) await new Promise((resolve) => setTimeout(resolve, 50));
}

function readStat(pid: number): { state: string; ppid: number } | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ")".
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0] ?? '?', ppid: Number(rest[1]) };
  } catch {
    return null;
  }
}

export async function getJson(url: string): Promise<any> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
}

export async function postBody(url: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url, { method: 'POST', body, headers });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // kept as text
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** A temporary directory removed by the caller. */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
