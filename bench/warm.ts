/**
 * (2) Warm decision overhead. One warm function process handles events one at
 * a time against the emulator (no added latency). After each event, the same
 * DCS requests it made are sent again by a bare sdk-core client (the bundle's
 * own sdk.js: same signing, same HTTP client, same connection policy): the floor.
 *
 *   overhead at pXX = pXX(handler time) - pXX(floor time)
 *
 * i.e. what parsing, the policy, the guard, our DCS client wrapper and the
 * audit add to the DCS round trips themselves. Also reported per event: the
 * handler time minus the time it spent inside HTTP exchanges (request start →
 * response, node's diagnostics channels), which also charges sdk-core's own
 * client-side work (signing, axios) to the handler.
 */
import type { Emulator, RecordedRequest } from '../dev/emulator/server';
import type { FloorRequest } from './protocol';
import { EXPECTED_DECISION, type EventKind } from './scenario';
import { summarize, type Summary } from './stats';
import type { WarmFunction } from './worker-client';

export interface WarmResult {
  kind: EventKind;
  /** The DCS operations one event makes, warm. */
  operations: string[];
  handlerUs: Summary;
  floorUs: Summary;
  overheadUs: { p50: number; p99: number };
  /** Per event: handler time minus its time inside HTTP exchanges; the same for the floor (sdk-core's own work). */
  handlerMinusHttpUs: Summary;
  floorMinusHttpUs: Summary;
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

export async function measureWarm(fn: WarmFunction, emulator: Emulator, kind: EventKind, warmup: number, n: number): Promise<WarmResult> {
  const runOf = async (count: number, tag: string) => {
    await fn.ask({ type: 'prepare', kind, tag: `${kind}${tag}`, count }, 'prepared');
    return fn.ask({ type: 'run', concurrency: 1 }, 'run');
  };
  const warm = await runOf(warmup, 'w');
  expectOnly(warm.decisions, kind, warmup);

  // One more, to see which DCS requests a warm event makes: the floor replays exactly those.
  const mark = emulator.requests.length;
  await runOf(1, 'p');
  const made = emulator.requests.slice(mark);
  const floor = made.map(asFloor);

  await fn.ask({ type: 'prepare', kind, tag: `${kind}m`, count: n }, 'prepared');
  const reply = await fn.ask({ type: 'paired', floor }, 'paired');
  expectOnly(reply.decisions, kind, n);
  const handlerUs = summarize(toUs(reply.handlerNs));
  const floorUs = summarize(toUs(reply.floorNs));
  return {
    kind,
    operations: made.map((r) => r.operation),
    handlerUs,
    floorUs,
    overheadUs: { p50: handlerUs.p50 - floorUs.p50, p99: handlerUs.p99 - floorUs.p99 },
    handlerMinusHttpUs: summarize(toUs(reply.handlerNs.map((h, i) => h - (reply.httpInHandlerNs[i] ?? 0)))),
    floorMinusHttpUs: summarize(toUs(reply.floorNs.map((f, i) => f - (reply.httpInFloorNs[i] ?? 0)))),
  };
}
