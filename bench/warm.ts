/**
 * (2) Warm decision overhead. One warm function process handles events one at
 * a time against the emulator (no added latency), measured twice: early (the
 * 300 events after the container's first 30: V8 is still compiling and
 * tiering up our code) and steady (300 more after 3,000 further events: the
 * code a container that has been answering for a while runs; V8 goes on
 * optimising a kill's functions for about 2,500 kills, docs/performance.md).
 * The targets are judged on steady; early is printed beside it.
 *
 *   overhead of an event = its handler time - the time of the DCS calls it made
 *
 * where a DCS call is timed around sdk-core's sendRequest (signing, axios and
 * the HTTP round trip: what any client of the SDK pays). What is left is what
 * parsing, the policy, the guard, our DCS client wrapper and the audit add.
 *
 * The floor, as a cross-check: right after each event, the same DCS requests
 * (as the emulator recorded them) are sent again by a bare sdk-core client from
 * the bundle's own sdk.js (same signing, same axios, same connection policy).
 * Also shown: the floor's time outside its HTTP exchanges, i.e. sdk-core's own
 * client-side work, which the handler pays as part of its DCS calls.
 */
import type { Emulator, RecordedRequest } from '../dev/emulator/server';
import type { FloorRequest } from './protocol';
import { EXPECTED_DECISION, type EventKind } from './scenario';
import { summarize, type Summary } from './stats';
import type { WarmFunction } from './worker-client';

export interface WarmResult extends WarmPhase {
  kind: EventKind;
  /** The DCS operations one event makes, warm. */
  operations: string[];
  /** The same figures for the events right after the container's first few (V8 still tiering up). */
  early: WarmPhase;
}

/** One run of paired events. */
export interface WarmPhase {
  handlerUs: Summary;
  /** Per event: the handler's time inside sdk-core calls. */
  dcsCallsUs: Summary;
  /** Per event: handler time minus the time of its DCS calls. */
  overheadUs: Summary;
  floorUs: Summary;
  /** Per event: handler time minus the floor's time for the same requests, sent right after it. */
  handlerMinusFloorUs: Summary;
  /** Per floor replay: time outside HTTP exchanges (sdk-core's own client-side work). */
  sdkOwnUs: Summary;
}

const toUs = (ns: number[]) => ns.map((n) => n / 1000);

function asFloor(r: RecordedRequest): FloorRequest {
  const body = r.body !== null && typeof r.body === 'object' ? (r.body as Record<string, unknown>) : undefined;
  const query = Object.fromEntries(Object.entries(r.query).map(([k, v]) => [k, String(v)]));
  return { method: r.method === 'POST' ? 'POST' : 'GET', path: r.path, query, body, freshConnection: r.operation === 'hangUpKillAllClients' };
}

function expectOnly(decisions: Record<string, number>, kind: EventKind, n: number): void {
  if (decisions[EXPECTED_DECISION[kind]] !== n) {
    throw new Error(`warm ${kind}: expected ${n} × ${EXPECTED_DECISION[kind]}, got ${JSON.stringify(decisions)}`);
  }
}

export interface WarmSettings {
  /** Events before the early phase (the container's first). */
  warmup: number;
  /** Events between the early and the steady phase. */
  settle: number;
  /** Events measured in each phase. */
  events: number;
}

export async function measureWarm(fn: WarmFunction, emulator: Emulator, kind: EventKind, settings: WarmSettings): Promise<WarmResult> {
  const runOf = async (count: number, tag: string) => {
    // The emulator keeps every request and job it saw: forgotten before each run, so its bookkeeping
    // (and its garbage collector) grows no slower from phase to phase, nor from one kind to the next.
    emulator.reset();
    await fn.ask({ type: 'prepare', kind, tag: `${kind}${tag}`, count }, 'prepared');
    return fn.ask({ type: 'run', concurrency: 1 }, 'run');
  };
  const warm = await runOf(settings.warmup, 'w');
  expectOnly(warm.decisions, kind, settings.warmup);

  // One more, to see which DCS requests a warm event makes: the floor replays exactly those.
  await runOf(1, 'p');
  const made = [...emulator.requests];
  const floor = made.map(asFloor);

  const phase = async (tag: string): Promise<WarmPhase> => {
    emulator.reset();
    await fn.ask({ type: 'prepare', kind, tag: `${kind}${tag}`, count: settings.events }, 'prepared');
    const reply = await fn.ask({ type: 'paired', floor }, 'paired');
    expectOnly(reply.decisions, kind, settings.events);
    const minus = (a: number[], b: number[]) => summarize(toUs(a.map((x, i) => x - (b[i] ?? 0))));
    return {
      handlerUs: summarize(toUs(reply.handlerNs)),
      dcsCallsUs: summarize(toUs(reply.sdkInHandlerNs)),
      overheadUs: minus(reply.handlerNs, reply.sdkInHandlerNs),
      floorUs: summarize(toUs(reply.floorNs)),
      handlerMinusFloorUs: minus(reply.handlerNs, reply.floorNs),
      sdkOwnUs: minus(reply.floorNs, reply.httpInFloorNs),
    };
  };
  const early = await phase('e');
  const settled = await runOf(settings.settle, 's');
  expectOnly(settled.decisions, kind, settings.settle);
  return { kind, operations: made.map((r) => r.operation), early, ...(await phase('m')) };
}
