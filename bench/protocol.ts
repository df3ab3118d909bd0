/** Messages between the bench (bench/main.ts) and a warm function process (bench/worker.ts), over IPC. */
import type { EventKind } from './scenario';

/** One DCS request to replay with a bare sdk-core client: the floor the handler is compared with. */
export interface FloorRequest {
  method: 'GET' | 'POST';
  /** The full path, project id included, as the emulator received it. */
  path: string;
  query: Record<string, string>;
  body: Record<string, unknown> | undefined;
  /** A new TCP connection, as the DCS client opens for kill-all (lib/dcs/sdk-core.ts). */
  freshConnection: boolean;
}

export type WorkerRequest =
  | { type: 'load'; bundle: string }
  /** The next run's events: `count` of a kind, SMN message ids `<tag><i>`. */
  | { type: 'prepare'; kind: EventKind; tag: string; count: number }
  /** Runs the prepared events through the handler, `concurrency` at a time. */
  | { type: 'run'; concurrency: number }
  /** One at a time: each prepared event through the handler, then the same DCS requests by a bare client. */
  | { type: 'paired'; floor: FloorRequest[] }
  | { type: 'memory' }
  | { type: 'exit' };

export interface RunReply {
  type: 'run';
  /** Handler time per event, ns. */
  handlerNs: number[];
  wallNs: number;
  /** Decisions the handler returned, counted. */
  decisions: Record<string, number>;
}

export interface PairedReply {
  type: 'paired';
  handlerNs: number[];
  /** Time the handler spent inside sdk-core's sendRequest: its DCS calls, signing and axios included. */
  sdkInHandlerNs: number[];
  floorNs: number[];
  /** Time the floor spent inside HTTP exchanges (request start → response headers). */
  httpInFloorNs: number[];
  decisions: Record<string, number>;
}

export interface MemoryReply {
  type: 'memory';
  /** Peak resident set size of the process so far (bytes). */
  maxRssBytes: number;
  rssBytes: number;
  heapUsedBytes: number;
}

export type WorkerReply =
  | { type: 'loaded'; maxRssBytes: number }
  | { type: 'prepared' }
  | RunReply | PairedReply | MemoryReply | { type: 'error'; message: string };
