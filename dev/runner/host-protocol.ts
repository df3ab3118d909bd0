/**
 * Messages between the local runner (or CLI) and a function host child process, over Node's IPC
 * channel. Function output travels on the same channel as results, so every line a handler
 * printed arrives before its result: nothing is lost or reordered between two pipes.
 */

/** What the host needs to build a FunctionGraph-like context. */
export interface InvokeContextSpec {
  requestId: string;
  /** Epoch ms at which the "function timeout" strikes. */
  deadline: number;
  functionName: string;
  memorySize: number;
}

export type ToHost = { kind: 'invoke'; id: number; event: unknown; context: InvokeContextSpec };

export type FromHost =
  | { kind: 'ready' }
  | { kind: 'load_failed'; error: string }
  /** One line the function wrote to stdout (what LTS would collect). */
  | { kind: 'line'; text: string }
  | { kind: 'result'; id: number; ok: true; value: unknown }
  | { kind: 'result'; id: number; ok: false; error: string };
