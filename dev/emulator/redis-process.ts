/**
 * redis-server processes owned by the emulator: each on a free loopback port, without
 * persistence, and never outliving the emulator:
 *   - stop() ends one (SIGTERM, then waits for the exit);
 *   - a process 'exit' hook SIGKILLs any still running when the emulator exits without close();
 *   - a tiny reaper process (one per emulator process) SIGKILLs them if the emulator itself is
 *     SIGKILLed: it holds the read end of a pipe, which the kernel closes when we die.
 * The servers get their own process group, so a Ctrl-C in the terminal reaches the emulator
 * only, and the emulator stops them in order.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const LOOPBACK = '127.0.0.1';
/** The system Redis listens there: an emulated node must never be it. */
const SYSTEM_REDIS_PORT = 6379;
const START_ATTEMPTS = 5;

export interface RedisProcess {
  host: string;
  port: number;
  pid: number;
  /** SIGTERM, resolves once the process is gone (at once if it already is). */
  stop(): Promise<void>;
}

export class RedisProcessError extends Error {
  override readonly name = 'RedisProcessError';
  constructor(
    readonly code: 'REDIS_SERVER_MISSING' | 'REDIS_SERVER_START_FAILED',
    message: string,
  ) {
    super(message);
  }
}

/** Whether `command` (default redis-server from PATH) runs. */
export function redisServerAvailable(command = 'redis-server'): boolean {
  const probe = spawnSync(command, ['--version'], { encoding: 'utf8' });
  return !probe.error && probe.status === 0;
}

/** Starts a redis-server on a free loopback port; retries when another process takes the port first. */
export async function spawnRedisServer(command = 'redis-server'): Promise<RedisProcess> {
  if (!redisServerAvailable(command)) throw new RedisProcessError('REDIS_SERVER_MISSING', `${command} is not on PATH (install the redis-server package)`);
  let lastError = '';
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    try {
      return await startOnce(command, await freePort());
    } catch (e) {
      lastError = (e as Error).message;
    }
  }
  throw new RedisProcessError('REDIS_SERVER_START_FAILED', `could not start ${command}: ${lastError}`);
}

async function startOnce(command: string, port: number): Promise<RedisProcess> {
  // No file is written (no RDB, no AOF), but a working directory of its own keeps it that way.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dsg-emulator-redis-'));
  const args = ['--port', String(port), '--bind', LOOPBACK, '--save', '', '--appendonly', 'no', '--dir', dir];
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid;
  if (pid !== undefined) track(pid);
  void exited.then(() => {
    if (pid !== undefined) untrack(pid);
    rmSync(dir, { recursive: true, force: true });
  });
  await waitForRedisReady(child);
  return {
    host: LOOPBACK,
    port,
    pid: pid ?? -1,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Resolves when a spawned redis-server (stdout piped) says it accepts connections; rejects if it exits first. */
export function waitForRedisReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        child.stdout?.off('data', onData);
        child.off('exit', onExit);
        child.stdout?.resume(); // keep draining so the server never blocks on a full pipe
        resolve();
      }
    };
    const onExit = (code: number | null) => reject(new Error(`exited (${code}) before it was ready: ${output.slice(-300).trim()}`));
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (e) => reject(e));
    child.once('exit', onExit);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      server.close(() => {
        if (typeof address === 'object' && address && address.port !== SYSTEM_REDIS_PORT) resolve(address.port);
        else reject(new Error('no usable port'));
      });
    });
  });
}

// --- No orphans ---

const running = new Set<number>();
let reaper: ChildProcess | null = null;
let exitHookInstalled = false;

/**
 * The reaper: reads "+pid"/"-pid" lines; when its stdin closes (we exited, however) or it gets
 * SIGTERM, it SIGKILLs every pid still listed. It ignores SIGINT: a Ctrl-C is ours to handle.
 */
const REAPER_SCRIPT = `
const pids = new Set(); let buf = '';
const reap = () => { for (const p of pids) { try { process.kill(p, 'SIGKILL'); } catch {} } process.exit(0); };
process.on('SIGINT', () => {}); process.on('SIGTERM', reap);
process.stdin.on('data', (d) => { buf += d; let i;
  while ((i = buf.indexOf('\\n')) >= 0) { const line = buf.slice(0, i); buf = buf.slice(i + 1);
    const pid = Number(line.slice(1)); if (line[0] === '+') pids.add(pid); else pids.delete(pid); } });
process.stdin.on('end', reap);
`;

function track(pid: number): void {
  running.add(pid);
  installExitHook();
  tellReaper(`+${pid}`);
}

function untrack(pid: number): void {
  running.delete(pid);
  tellReaper(`-${pid}`);
  if (running.size === 0 && reaper) {
    // Nothing left to guard: let the reaper go rather than leave an idle process behind.
    reaper.stdin?.end();
    reaper = null;
  }
}

function tellReaper(line: string): void {
  if (!reaper) {
    reaper = spawn(process.execPath, ['-e', REAPER_SCRIPT], { stdio: ['pipe', 'ignore', 'ignore'] });
    reaper.on('error', () => undefined); // best effort: the exit hook still covers a normal exit
    reaper.stdin?.on('error', () => undefined);
    // The reaper must not keep the emulator's process alive.
    reaper.unref();
    (reaper.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  }
  reaper.stdin?.write(`${line}\n`);
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const pid of running) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}
