/**
 * A throwaway redis-server for tests: its own process on a free loopback port (never the
 * system Redis on 6379), no persistence, stopped by the test.
 *
 * Without redis-server on PATH, tests skip with a printed reason — except under CI (env CI
 * set), where a missing redis-server is an error: CI must run these tests.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { waitForRedisReady } from '../../dev/emulator/redis-process';
import { useSuiteResource } from './suite-resource';

export interface RedisServerOptions {
  /** Sets --requirepass; the URL then carries it. */
  password?: string;
  /** More redis-server arguments, e.g. ['--cluster-enabled', 'yes'] or TLS settings. */
  args?: string[];
  /** Serve TLS only (the port becomes --tls-port; the URL is rediss://). Clients need no certificate. */
  tls?: { certFile: string; keyFile: string; caFile: string };
}

export interface RedisServerHandle {
  /** redis://[:password@]127.0.0.1:<port> */
  url: string;
  port: number;
  password: string | null;
  /** Graceful stop (SIGTERM), resolves once the process is gone. */
  stop(): Promise<void>;
  /** SIGKILL, for outage tests; resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: a server that accepts connections but never answers. */
  pause(): void;
  resume(): void;
  /** Runs redis-cli against this server and returns its output (trimmed). */
  cli(...args: string[]): string;
}

/** Ends the title of a describe skipped for a missing tool; the reason follows. The reporter counts by it. */
const { SKIP_MARK } = require('./summary-reporter') as { SKIP_MARK: string };
const SYSTEM_REDIS_PORT = 6379;
const started = new Set<ChildProcess>();
process.once('exit', () => started.forEach((child) => child.kill('SIGKILL')));

/**
 * Why Redis tests cannot run here, or null when they can. Throws under CI, where
 * they must run. Synchronous, so a test file can pick describe or describe.skip.
 */
export function redisServerMissing(): string | null {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (!probe.error && probe.status === 0) return null;
  const why = 'redis-server is not on PATH (install the redis-server package; with CI set these tests fail instead)';
  if (process.env.CI) throw new Error(`${why}; CI is set, so the Redis tests must run`);
  return why;
}

/**
 * describe when redis-server is available, else describe.skip with the reason in its title
 * (SKIP_MARK): the summary reporter counts the skipped tests by reason.
 */
export function describeWithRedis(name: string, body: () => void): void {
  const missing = redisServerMissing();
  if (missing === null) return describe(name, body);
  describe.skip(`${name}${SKIP_MARK}${missing}`, body);
}

/** A redis-server of the suite's own (inside describeWithRedis), flushed before each test. */
export function useRedisServer(options: RedisServerOptions = {}): RedisServerHandle {
  return useSuiteResource(async () => (await startRedisServer(options))!, { reset: (r) => void r.cli('FLUSHALL'), close: (r) => r.stop() });
}

/** Starts a server; null only when redis-server is missing outside CI (the reason is printed). */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServerHandle | null> {
  const missing = redisServerMissing();
  if (missing !== null) {
    console.warn(`redis tests skipped: ${missing}`);
    return null;
  }
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      return await startOnce(await freePort(), options);
    } catch (e) {
      lastError = e; // most likely the port was taken between probing and binding: try another
    }
  }
  throw new Error(`could not start redis-server: ${String(lastError)}`);
}

async function startOnce(port: number, options: RedisServerOptions): Promise<RedisServerHandle> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'guard-redis-'));
  const args = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  const { tls } = options;
  if (tls) {
    args.push('--port', '0', '--tls-port', String(port), '--tls-cert-file', tls.certFile, '--tls-key-file', tls.keyFile);
    args.push('--tls-ca-cert-file', tls.caFile, '--tls-auth-clients', 'no');
  } else {
    args.push('--port', String(port));
  }
  if (options.password) args.push('--requirepass', options.password);
  args.push(...(options.args ?? []));
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  started.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => {
    started.delete(child);
    rmSync(dir, { recursive: true, force: true });
  });
  await waitForRedisReady(child);
  const password = options.password ?? null;
  const auth = password ? `:${encodeURIComponent(password)}@` : '';
  const stopWith = (signal: NodeJS.Signals) => async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      child.kill('SIGCONT'); // a paused server must wake up to handle SIGTERM
    }
    await exited;
  };
  const cliTls = tls ? ['--tls', '--cacert', tls.caFile] : [];
  return {
    url: `${tls ? 'rediss' : 'redis'}://${auth}127.0.0.1:${port}`,
    port,
    password,
    stop: stopWith('SIGTERM'),
    kill: stopWith('SIGKILL'),
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
    cli: (...cmd) => redisCli(port, password, [...cliTls, ...cmd]),
  };
}


function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (typeof address === 'object' && address && address.port !== SYSTEM_REDIS_PORT) resolve(address.port);
        else reject(new Error('no usable port'));
      });
    });
  });
}

function redisCli(port: number, password: string | null, cmd: string[]): string {
  const env = { ...process.env, ...(password ? { REDISCLI_AUTH: password } : {}) };
  const result = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...cmd], { encoding: 'utf8', env });
  if (result.status !== 0) throw new Error(`redis-cli failed: ${result.stderr}`);
  return result.stdout.trim();
}
