/**
 * A function host: the child process that plays one warm FunctionGraph container.
 *
 *   node dist/dev/function-host.js <bundle.js>
 *
 * It loads the built bundle once (module-level state, the policy cache, the guard store live
 * as long as this process, exactly as in a warm container), then runs each invocation it is sent
 * over IPC with a FunctionGraph-like context. Its stdout is captured line by line and sent to the
 * parent, which decides how to show it. It dies with its parent (IPC disconnect), stops on
 * SIGTERM, and leaves SIGINT (a terminal's Ctrl-C to the whole group) to the runner.
 */
import type { FromHost, InvokeContextSpec, ToHost } from './host-protocol';

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

function send(message: FromHost): void {
  process.send?.(message);
}

/**
 * Turns every write to stdout into 'line' messages, whether through process.stdout
 * or straight to fd 1 (the function's own lines: lib/log/stdout.ts); returns a flush
 * for a last partial line.
 */
function captureStdout(): () => void {
  let pending = '';
  const take = (chunk: unknown, encoding?: unknown): void => {
    pending += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString(typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      send({ kind: 'line', text: pending.slice(0, newline) });
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
    }
  };
  const write = (chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
    take(chunk, encoding);
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') process.nextTick(done as () => void);
    return true;
  };
  process.stdout.write = write as typeof process.stdout.write;
  // The module object itself (what the bundle's require('node:fs') returns), not an import's copy.
  const fs = require('node:fs') as { writeSync: (...args: unknown[]) => number };
  const writeSync = fs.writeSync;
  fs.writeSync = ((fd: number, data: string | Uint8Array, ...rest: unknown[]): number => {
    if (fd !== 1) return writeSync(fd, data, ...rest);
    const bytes = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data).subarray(typeof rest[0] === 'number' ? rest[0] : 0);
    take(bytes);
    return bytes.length;
  }) as (...args: unknown[]) => number;
  return () => {
    if (pending !== '') send({ kind: 'line', text: pending });
    pending = '';
  };
}

/** The FunctionGraph context methods a local run can honestly provide (no agency credentials). */
function makeContext(spec: InvokeContextSpec): Record<string, unknown> {
  const log = (...args: unknown[]) => console.log(...args);
  return {
    getRequestID: () => spec.requestId,
    getRemainingTimeInMilliSeconds: () => Math.max(0, spec.deadline - Date.now()),
    getFunctionName: () => spec.functionName,
    getVersion: () => 'latest',
    getAlias: () => '',
    getMemorySize: () => spec.memorySize,
    getUserData: (key: string) => process.env[key],
    getLogger: () => ({ info: log, warn: log, error: log, debug: log }),
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function loadHandler(bundle: string): Handler | string {
  try {
    const mod = require(bundle) as { handler?: unknown };
    return typeof mod.handler === 'function' ? (mod.handler as Handler) : `${bundle} exports no handler function`;
  } catch (error) {
    return `cannot load ${bundle}: ${describe(error)}`;
  }
}

function main(): void {
  const bundle = process.argv[2];
  if (!bundle || !process.send) {
    process.stderr.write('usage: function-host <bundle.js> (started by the local runner over IPC)\n');
    process.exit(2);
  }
  process.on('disconnect', () => process.exit(0));
  // A terminal Ctrl-C reaches the whole process group, this container included. The runner
  // owns its life (SIGTERM from stop(), or the IPC disconnect when the runner dies): an
  // invocation in flight is not cut off by a signal meant for the runner. Listening before
  // 'ready' is sent means no Ctrl-C after the runner's "Ready:" can find it unprotected.
  process.on('SIGINT', () => undefined);
  const flush = captureStdout();
  const handler = loadHandler(bundle);
  if (typeof handler === 'string') {
    send({ kind: 'load_failed', error: handler });
    process.disconnect();
    return;
  }
  process.on('message', (message: ToHost) => {
    if (message.kind !== 'invoke') return;
    handler(message.event, makeContext(message.context)).then(
      (value) => {
        flush();
        send({ kind: 'result', id: message.id, ok: true, value });
      },
      (error: unknown) => {
        flush();
        send({ kind: 'result', id: message.id, ok: false, error: describe(error) });
      },
    );
  });
  send({ kind: 'ready' });
}

main();
