/**
 * A warm function container for the bench: requires the built bundle once (its
 * environment was set by the bench when it spawned this process), then runs
 * what the bench asks over IPC. Its stdout (the function's audit lines) goes to
 * /dev/null; decisions are counted from the handler's return values.
 */
import * as diagnostics from 'node:diagnostics_channel';
import * as http from 'node:http';
import * as path from 'node:path';
import type { FloorRequest, PairedReply, RunReply, WorkerReply, WorkerRequest } from './protocol';
import { eventOf } from './scenario';
import { elapsedNs } from './stats';

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

let handler: Handler | undefined;
let bundleDir = '';
let counter = 0;

/**
 * The events of the next run, as one JSON template: each event is parsed from it
 * right before its call (as the platform parses each event), so the process never
 * holds thousands of events at once and its memory figure stays the function's own.
 */
const ID_SLOT = 'BENCHEVENTIDSLOT';
let prepared = { template: '', tag: '', count: 0 };
const eventAt = (i: number): unknown => JSON.parse(prepared.template.replaceAll(ID_SLOT, `${prepared.tag}${i}`));

const context = () => ({ getRequestID: () => `bench-${++counter}`, getRemainingTimeInMilliSeconds: () => 60_000 });

function send(reply: WorkerReply): void {
  process.send?.(reply);
}

function decisionsOf(result: unknown, into: Record<string, number>): void {
  const records = (result as { results?: Array<{ decision?: string }> } | undefined)?.results ?? [];
  for (const r of records) into[r.decision ?? 'unknown'] = (into[r.decision ?? 'unknown'] ?? 0) + 1;
}

async function run(concurrency: number): Promise<RunReply> {
  const h = requireHandler();
  const { count } = prepared;
  const handlerNs = new Array<number>(count);
  const decisions: Record<string, number> = {};
  let next = 0;
  const caller = async () => {
    while (next < count) {
      const i = next++;
      const event = eventAt(i);
      const start = process.hrtime.bigint();
      const result = await h(event, context());
      handlerNs[i] = elapsedNs(start);
      decisionsOf(result, decisions);
    }
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, caller));
  return { type: 'run', handlerNs, wallNs: elapsedNs(start), decisions };
}

// ---- the floor: the same DCS requests, signed and sent by sdk-core itself ----

interface BareClient {
  sendRequest(options: Record<string, unknown>): Promise<unknown>;
}
let bareClient: BareClient | undefined;
const freshAgent = new http.Agent({ keepAlive: false });

/** An HcClient from the bundle's own sdk.js: the same signing and HTTP client the function uses, nothing of ours. */
function floorClient(): BareClient {
  if (bareClient) return bareClient;
  const core = require(path.join(bundleDir, 'sdk.js'));
  core.Logger4jInstance.level = 'off';
  const env = process.env;
  const credentials = new core.BasicCredentials().withAk(env.HUAWEICLOUD_SDK_AK).withSk(env.HUAWEICLOUD_SDK_SK).withProjectId(env.HUAWEICLOUD_SDK_PROJECT_ID);
  bareClient = new core.ClientBuilder((hc: unknown) => hc)
    .withCredential(credentials)
    .withEndpoint([env.DCS_ENDPOINT])
    .withOptions({ customUserAgent: 'dcs-session-guard-bench-floor' })
    .build() as BareClient;
  return bareClient;
}

async function replay(requests: FloorRequest[]): Promise<void> {
  const client = floorClient();
  for (const r of requests) {
    await client.sendRequest({
      method: r.method,
      url: r.path,
      contentType: 'application/json',
      pathParams: {},
      queryParams: { ...r.query },
      headers: {},
      ...(r.body !== undefined ? { data: { ...r.body } } : {}),
      axiosRequestConfig: { timeout: 10_000, maxRedirects: 0, ...(r.freshConnection ? { httpAgent: freshAgent } : {}) },
    });
  }
}

// ---- time spent in DCS calls: inside sdk-core's sendRequest (signing, axios, HTTP) ----

let sdkNs = 0;

/**
 * Wraps sendRequest of every HcClient built from the bundle's sdk.js (the bundle requires the
 * same file, so the same module instance) to add up the time spent in it. The function's own
 * code is untouched; loading sdk.js here ahead of the bundle changes nothing it measures.
 */
function timeSdkCalls(): void {
  const core = require(path.join(bundleDir, 'sdk.js'));
  const build = core.ClientBuilder.prototype.build;
  core.ClientBuilder.prototype.build = function timedBuild(this: unknown, ...args: unknown[]) {
    const client = build.apply(this, args) as BareClient;
    const send = client.sendRequest.bind(client);
    client.sendRequest = async (options) => {
      const start = process.hrtime.bigint();
      try {
        return await send(options);
      } finally {
        sdkNs += elapsedNs(start);
      }
    };
    return client;
  };
}

// ---- time spent in HTTP exchanges, seen through node's diagnostics channels ----

let httpNs = 0;
const started = new WeakMap<object, bigint>();
diagnostics.subscribe('http.client.request.start', (message) => {
  started.set((message as { request: object }).request, process.hrtime.bigint());
});
diagnostics.subscribe('http.client.response.finish', (message) => {
  const start = started.get((message as { request: object }).request);
  if (start !== undefined) httpNs += elapsedNs(start);
});

async function paired(floor: FloorRequest[]): Promise<PairedReply> {
  const h = requireHandler();
  const reply: PairedReply = { type: 'paired', handlerNs: [], sdkInHandlerNs: [], floorNs: [], httpInFloorNs: [], decisions: {} };
  for (let i = 0; i < prepared.count; i++) {
    const event = eventAt(i);
    sdkNs = 0;
    let start = process.hrtime.bigint();
    const result = await h(event, context());
    reply.handlerNs.push(elapsedNs(start));
    reply.sdkInHandlerNs.push(sdkNs);
    decisionsOf(result, reply.decisions);
    httpNs = 0;
    start = process.hrtime.bigint();
    await replay(floor);
    reply.floorNs.push(floor.length === 0 ? 0 : elapsedNs(start));
    reply.httpInFloorNs.push(httpNs);
  }
  return reply;
}

function requireHandler(): Handler {
  if (!handler) throw new Error('bundle not loaded');
  return handler;
}

function memory(): WorkerReply {
  const usage = process.memoryUsage();
  return { type: 'memory', maxRssBytes: process.resourceUsage().maxRSS * 1024, rssBytes: usage.rss, heapUsedBytes: usage.heapUsed };
}

async function answer(request: WorkerRequest): Promise<WorkerReply> {
  switch (request.type) {
    case 'load': {
      const before = process.resourceUsage().maxRSS * 1024;
      bundleDir = path.dirname(request.bundle);
      timeSdkCalls();
      handler = (require(request.bundle) as { handler: Handler }).handler;
      return { type: 'loaded', maxRssBytes: before };
    }
    case 'prepare':
      prepared = { template: JSON.stringify(eventOf(request.kind, ID_SLOT)), tag: request.tag, count: request.count };
      return { type: 'prepared' };
    case 'run':
      return run(request.concurrency);
    case 'paired':
      return paired(request.floor);
    case 'memory':
      return memory();
    case 'exit':
      process.exit(0);
  }
}

process.on('message', (request: WorkerRequest) => {
  answer(request).then(send, (e: unknown) => send({ type: 'error', message: e instanceof Error ? e.stack ?? e.message : String(e) }));
});
