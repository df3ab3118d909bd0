/** The bench's side of a warm function process (worker.ts): spawn it, ask, await the answer. */
import { fork, type ChildProcess } from 'node:child_process';
import type { WorkerReply, WorkerRequest } from './protocol';

type ReplyOf<T extends WorkerReply['type']> = Extract<WorkerReply, { type: T }>;

export class WarmFunction {
  private pending: { resolve: (r: WorkerReply) => void; reject: (e: Error) => void } | null = null;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (reply: WorkerReply) => {
      const waiting = this.pending;
      this.pending = null;
      if (!waiting) return;
      if (reply.type === 'error') waiting.reject(new Error(`bench worker: ${reply.message}`));
      else waiting.resolve(reply);
    });
    child.on('exit', (code) => this.pending?.reject(new Error(`bench worker exited (${code})`)));
  }

  /**
   * A fresh process with exactly `env`; the function's stdout (audit lines) is discarded.
   * BENCH_CPU_PROF=<dir> (in the bench's own environment) writes a V8 CPU profile per process there.
   */
  static async start(workerScript: string, bundle: string, env: NodeJS.ProcessEnv): Promise<{ fn: WarmFunction; idleMaxRssBytes: number }> {
    const profileDir = process.env.BENCH_CPU_PROF;
    const execArgv = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    const child = fork(workerScript, [], { env, execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const fn = new WarmFunction(child);
    const loaded = await fn.ask({ type: 'load', bundle }, 'loaded');
    return { fn, idleMaxRssBytes: loaded.maxRssBytes };
  }

  ask<T extends WorkerReply['type']>(request: WorkerRequest, expect: T): Promise<ReplyOf<T>> {
    if (this.pending) throw new Error('one request at a time');
    return new Promise<WorkerReply>((resolve, reject) => {
      this.pending = { resolve, reject };
      this.child.send(request);
    }).then((reply) => {
      if (reply.type !== expect) throw new Error(`bench worker answered ${reply.type}, expected ${expect}`);
      return reply as ReplyOf<T>;
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.send({ type: 'exit' } satisfies WorkerRequest);
    await exited;
  }
}
