/**
 * The parent side of a function host (function-host.ts): starts the child with the function's
 * environment, hands it events, and relays what the function prints.
 *
 * One child per function = one warm container. If an invocation outlives its timeout the child is
 * killed, as FunctionGraph kills a timed-out instance; the next invocation starts a cold one.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { FromHost, InvokeContextSpec, ToHost } from './host-protocol';

export interface FunctionHostSpec {
  /** "alarm" or "cron": names the function in output and in the context. */
  name: string;
  functionName: string;
  /** The built bundle, e.g. dist/alarm/index.js. */
  bundle: string;
  /** The compiled function-host.js. */
  hostScript: string;
  /** The function's whole environment (FunctionGraph environment variables): nothing else leaks in. */
  env: Record<string, string>;
  /** Each line the function prints on stdout. */
  onLine: (text: string) => void;
  /** What the function prints on stderr (chunks). */
  onStderr?: (text: string) => void;
  memorySize?: number;
}

export type InvokeOutcome =
  | { kind: 'returned'; value: unknown; requestId: string }
  | { kind: 'threw'; error: string; requestId: string }
  | { kind: 'timeout'; timeoutMs: number; requestId: string }
  /** The bundle could not be loaded, or the host process died: no result. */
  | { kind: 'unavailable'; error: string; requestId: string };

interface Pending {
  resolve: (outcome: InvokeOutcome) => void;
  requestId: string;
  timer: NodeJS.Timeout;
}

type Started = { ok: true; child: ChildProcess } | { ok: false; error: string };

/** Extra time the host gets past the function timeout before it is declared hung. */
const TIMEOUT_GRACE_MS = 1_000;

export class FunctionHost {
  private child: ChildProcess | null = null;
  private starting: Promise<Started> | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(private readonly spec: FunctionHostSpec) {}

  /** Starts the container now (a cold start before the first request); idempotent. */
  warmUp(): Promise<Started> {
    this.starting ??= this.spawn();
    return this.starting;
  }

  /** The pid of the live child, if any (for tests and diagnostics). */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  async invoke(event: unknown, opts: { requestId: string; timeoutMs: number }): Promise<InvokeOutcome> {
    const started = await this.warmUp();
    if (!started.ok) {
      this.starting = null; // try again next time: the user may have rebuilt meanwhile
      return { kind: 'unavailable', error: started.error, requestId: opts.requestId };
    }
    const id = this.nextId++;
    const context: InvokeContextSpec = {
      requestId: opts.requestId,
      deadline: Date.now() + opts.timeoutMs,
      functionName: this.spec.functionName,
      memorySize: this.spec.memorySize ?? 256,
    };
    return new Promise<InvokeOutcome>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ kind: 'timeout', timeoutMs: opts.timeoutMs, requestId: opts.requestId });
        this.kill(); // a hung container is recycled, like FunctionGraph does
      }, opts.timeoutMs + TIMEOUT_GRACE_MS);
      this.pending.set(id, { resolve, requestId: opts.requestId, timer });
      const message: ToHost = { kind: 'invoke', id, event, context };
      started.child.send(message);
    });
  }

  /** Stops the container; resolves when the process is gone. */
  async stop(): Promise<void> {
    const child = this.child;
    this.starting = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
  }

  private kill(): void {
    this.child?.kill('SIGKILL');
    this.child = null;
    this.starting = null;
  }

  private spawn(): Promise<Started> {
    const { bundle, hostScript } = this.spec;
    if (!existsSync(bundle)) return Promise.resolve({ ok: false, error: `${bundle} does not exist: build first (npm run build)` });
    if (!existsSync(hostScript)) return Promise.resolve({ ok: false, error: `${hostScript} does not exist: build first (npm run build)` });
    const child = fork(hostScript, [bundle], { env: this.spec.env, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.child = child;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => this.spec.onStderr?.(text));
    return new Promise<Started>((resolve) => {
      let settled = false;
      const settle = (result: Started) => {
        if (!settled) resolve(result);
        settled = true;
      };
      child.on('message', (message: FromHost) => {
        if (message.kind === 'ready') settle({ ok: true, child });
        else if (message.kind === 'load_failed') settle({ ok: false, error: message.error });
        else this.receive(message);
      });
      child.once('error', (error) => settle({ ok: false, error: `cannot start the function host: ${error.message}` }));
      child.once('exit', (code, signal) => {
        if (this.child === child) {
          this.child = null;
          this.starting = null;
        }
        settle({ ok: false, error: `the function host exited (${signal ?? `code ${code}`}) before it was ready` });
        this.failPending(`the function host exited (${signal ?? `code ${code}`}) during the invocation`);
      });
    });
  }

  private receive(message: Exclude<FromHost, { kind: 'ready' } | { kind: 'load_failed' }>): void {
    if (message.kind === 'line') {
      this.spec.onLine(message.text);
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending) return; // already timed out
    this.pending.delete(message.id);
    clearTimeout(pending.timer);
    pending.resolve(
      message.ok ? { kind: 'returned', value: message.value, requestId: pending.requestId } : { kind: 'threw', error: message.error, requestId: pending.requestId },
    );
  }

  private failPending(error: string): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.resolve({ kind: 'unavailable', error, requestId: pending.requestId });
      this.pending.delete(id);
    }
  }
}
