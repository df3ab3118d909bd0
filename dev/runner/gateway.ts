/**
 * The local gateway: an HTTP server on loopback that turns requests into the events FunctionGraph
 * triggers would deliver, and the handlers' answers into HTTP responses.
 *
 *   POST /cloudeye          -> alarm function, APIG trigger event (the SMN HTTP(S) webhook)
 *   POST /smn               -> alarm function, SMN trigger event wrapping the posted alarm message
 *   POST /timer/<schedule>  -> cron function, timer trigger event
 *   GET  /audit             -> every audit record the functions printed so far
 *   GET  /kills             -> the kill-all calls the embedded emulator received
 *   POST /demo-clients      -> reconnect the demo Redis clients (real Redis nodes only)
 *   GET  /                  -> what is running
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listen, readBody } from '../http';
import { apigEvent, defaultTopicUrn, smnTriggerEvent, timerEvent, type GatewayRequest, type LocalDeployment } from './events';
import type { InvokeOutcome } from './function-host-client';
import type { FunctionKind } from './layout';

/** APIG's own request size limit is far above SMN's 256 KB messages; this only stops runaway posts. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface GatewayDeps {
  deployment: LocalDeployment;
  invoke(fn: FunctionKind, event: unknown): Promise<InvokeOutcome>;
  auditRecords(): readonly unknown[];
  /** The kill-all calls seen by the embedded emulator; null when the runner talks to a real DCS API. */
  kills(): readonly unknown[] | null;
  /** Reconnects the demo Redis clients; null when there are none (simulated sessions). */
  reopenDemoClients: (() => Promise<string[]>) | null;
  /** Shown on GET /. */
  status(): Record<string, unknown>;
  /** One human line per request handled. */
  print(line: string): void;
  now?: () => Date;
}

export interface Gateway {
  url: string;
  port: number;
  close(): Promise<void>;
}

type Reply = { status: number; headers: Record<string, string>; body: string };

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: `${JSON.stringify(body, null, 2)}\n`,
});

const ROUTES = ['POST /cloudeye', 'POST /smn', 'POST /timer/<schedule>', 'GET /audit', 'GET /kills', 'POST /demo-clients', 'GET /'];

export async function startGateway(opts: { host: string; port: number }, deps: GatewayDeps): Promise<Gateway> {
  const server = createServer((req, res) => {
    handle(req, deps).then(
      (reply) => send(res, reply),
      (error: unknown) => send(res, json(500, { error: `local gateway error: ${error instanceof Error ? error.message : String(error)}` })),
    );
  });
  const port = await listen(server, opts.port, opts.host);
  return {
    url: `http://${opts.host}:${port}`,
    port,
    close: () => closeServer(server),
  };
}

async function handle(req: IncomingMessage, deps: GatewayDeps): Promise<Reply> {
  const url = new URL(req.url ?? '/', 'http://local');
  const method = (req.method ?? 'GET').toUpperCase();
  const route = routeOf(url.pathname);
  if (route === null) return json(404, { error: `no route ${method} ${url.pathname}`, routes: ROUTES });
  if (method !== route.method) return json(405, { error: `${url.pathname} accepts ${route.method} only` }, { allow: route.method });

  switch (route.name) {
    case 'status':
      return json(200, { ...deps.status(), routes: ROUTES });
    case 'audit':
      return json(200, { audit: deps.auditRecords() });
    case 'kills': {
      const kills = deps.kills();
      return kills === null ? json(404, { error: 'no embedded emulator: the runner talks to a real DCS API' }) : json(200, { kills });
    }
    case 'demo-clients': {
      if (deps.reopenDemoClients === null) return json(404, { error: 'no demo clients: the emulator simulates sessions (no real Redis nodes)' });
      const connected = await deps.reopenDemoClients();
      deps.print(`demo clients reconnected: ${connected.join(', ')}`);
      return json(200, { connected });
    }
    case 'cloudeye':
    case 'smn':
    case 'timer': {
      const read = await readBody(req, MAX_BODY_BYTES);
      return trigger(route, { method, path: url.pathname, query: url.searchParams, headers: req.headers, body: read.ok ? read.raw : null }, deps);
    }
  }
}

type TriggerRoute = Extract<Route, { name: 'cloudeye' | 'smn' | 'timer' }>;

/** Builds the trigger event for a POST, invokes the function, and answers as the platform would. */
async function trigger(route: TriggerRoute, request: Omit<GatewayRequest, 'body'> & { body: Buffer | null }, deps: GatewayDeps): Promise<Reply> {
  const { body } = request;
  if (body === null) return json(413, { error: `the body is larger than ${MAX_BODY_BYTES} bytes` });
  const now = (deps.now ?? (() => new Date()))();
  const started = Date.now();
  let reply: Reply;
  switch (route.name) {
    case 'cloudeye':
      deps.print(`--> POST ${request.path}: APIG trigger event -> alarm function`);
      reply = apigReply(await deps.invoke('alarm', apigEvent({ ...request, body }, deps.deployment)));
      break;
    case 'smn': {
      deps.print(`--> POST ${request.path}: SMN trigger event -> alarm function`);
      const header = (name: string) => singleHeader(request.headers, name);
      const event = smnTriggerEvent(
        {
          message: body.toString('utf8'),
          topicUrn: header('x-smn-topic-urn') ?? defaultTopicUrn(deps.deployment),
          now,
          ...optional('messageId', header('x-smn-message-id')),
          ...optional('subject', header('x-smn-subject')),
        },
        deps.deployment,
      );
      reply = summaryReply(await deps.invoke('alarm', event));
      break;
    }
    case 'timer':
      deps.print(`--> POST ${request.path}: timer trigger event (schedule "${route.schedule}") -> cron function`);
      reply = summaryReply(await deps.invoke('cron', timerEvent(route.schedule, now)));
      break;
  }
  deps.print(`<-- ${reply.status} after ${Date.now() - started} ms`);
  return reply;
}

type Route =
  | { name: 'status'; method: 'GET' }
  | { name: 'audit'; method: 'GET' }
  | { name: 'kills'; method: 'GET' }
  | { name: 'demo-clients'; method: 'POST' }
  | { name: 'cloudeye'; method: 'POST' }
  | { name: 'smn'; method: 'POST' }
  | { name: 'timer'; method: 'POST'; schedule: string };

function routeOf(path: string): Route | null {
  if (path === '/') return { name: 'status', method: 'GET' };
  if (path === '/audit') return { name: 'audit', method: 'GET' };
  if (path === '/kills') return { name: 'kills', method: 'GET' };
  if (path === '/cloudeye') return { name: 'cloudeye', method: 'POST' };
  if (path === '/smn') return { name: 'smn', method: 'POST' };
  if (path === '/demo-clients') return { name: 'demo-clients', method: 'POST' };
  const timer = /^\/timer\/([^/]+)$/.exec(path);
  if (timer?.[1]) {
    let schedule: string;
    try {
      schedule = decodeURIComponent(timer[1]);
    } catch {
      return null;
    }
    return { name: 'timer', method: 'POST', schedule };
  }
  return null;
}

/** What APIG does with a function's answer: pass an APIG response through, anything else is a 500. */
function apigReply(outcome: InvokeOutcome): Reply {
  if (outcome.kind !== 'returned') return failureReply(outcome);
  const value = outcome.value as { statusCode?: unknown; headers?: unknown; body?: unknown; isBase64Encoded?: unknown } | null;
  if (!value || typeof value.statusCode !== 'number' || typeof value.body !== 'string') {
    return json(500, { error: 'the function returned no APIG response ({statusCode, headers, body, isBase64Encoded}); APIG answers 500', returned: value });
  }
  const headers: Record<string, string> = {};
  if (value.headers && typeof value.headers === 'object') {
    for (const [k, v] of Object.entries(value.headers)) if (typeof v === 'string') headers[k.toLowerCase()] = v;
  }
  const body = value.isBase64Encoded === true ? Buffer.from(value.body, 'base64').toString('utf8') : value.body;
  return { status: value.statusCode, headers, body };
}

/** SMN and timer triggers: the function's JSON result. */
function summaryReply(outcome: InvokeOutcome): Reply {
  return outcome.kind === 'returned' ? json(200, outcome.value ?? null) : failureReply(outcome);
}

function failureReply(outcome: Exclude<InvokeOutcome, { kind: 'returned' }>): Reply {
  switch (outcome.kind) {
    case 'threw':
      return json(500, { error: `the function threw: ${outcome.error}`, requestId: outcome.requestId });
    case 'timeout':
      return json(504, { error: `the function did not answer within its ${outcome.timeoutMs} ms timeout; its container was recycled`, requestId: outcome.requestId });
    case 'unavailable':
      return json(502, { error: outcome.error, requestId: outcome.requestId });
  }
}

function singleHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

function send(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, { ...reply.headers, 'content-length': String(Buffer.byteLength(reply.body)) });
  res.end(reply.body);
}
