/**
 * The DCS API emulator: a real HTTP server on loopback that checks SDK-HMAC-SHA256 signatures,
 * serves the seven DCS calls over seeded state (and SMN publish and Cloud Eye metric data for the
 * decision sinks: notify-routes.ts), records every request and injects faults.
 *
 * One DCS request goes through, in order:
 *   read body (size cap) -> match route -> verify signature and project -> RECORD
 *   -> faults (latency, then error/reset/hang/redirect) -> unknown route 404 -> auth 401/403
 *   -> bad JSON 400 -> settle due jobs -> handler.
 * Recording comes before faults so a test can prove a request was (or was not) sent.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listen, readBody } from '../http';
import demoSeed from './seeds/demo.json';
import { CONTROL_PREFIX, handleControl } from './control';
import { DcsErrors, type ApiError } from './errors';
import { applyFaultPlan, FaultController, type RequestKey } from './faults';
import { newRequestId, parseJson, sendJson } from './http';
import { RedisBackendError, RedisSessionBackend, redisNodeSettings, type RealNode, type RedisNodesOption } from './redis-backend';
import { matchRoute, projectIdOfPath, type MatchedRoute } from './routes';
import { loadSeedFile, parseSeed, type Seed, type ValidSeed } from './seed';
import type { SessionBackend } from './sessions';
import { checkProjectScope, DEFAULT_MAX_SKEW_MS, parseQuery, verify, type AuthFailure, type QueryParams } from './signature';
import { EmulatorState } from './state';

export const DEFAULT_JOB_DURATION_MS = 500;
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

export interface EmulatorOptions {
  /** A seed object, or a path to a seed JSON file. Default: seeds/demo.json. */
  seed?: Seed | string;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  now?: () => number;
  jobDurationMs?: number;
  maxSkewMs?: number;
  maxBodyBytes?: number;
  /** Where sessions live; default: simulated, from the seed. */
  sessionBackend?: SessionBackend;
  /**
   * Real redis-server nodes: `true` for every node of a Redis 4.0+ instance, `{nodes: {nodeId:
   * 'spawn' | 'host:port'}}` for some, `false` to ignore the seed's per-node `redis` settings.
   * Default: the seed's settings. Not combinable with sessionBackend.
   */
  redisNodes?: RedisNodesOption;
  /** Called once per DCS request when it is answered (status null: reset or hung). */
  onRequest?: (request: RecordedRequest) => void;
  /** listClients answers at most this many sessions per page (default 1000): small values make paging visible. */
  listPageSize?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: QueryParams;
  headers: IncomingHttpHeaders;
  /** Parsed JSON, or null (no body, or not JSON). */
  body: unknown;
  rawBody: string;
  /** Status answered; null while pending, or when the fault reset or hung the connection. */
  status: number | null;
  /** The SDK method name, or 'unknown' for a path that is no DCS call. */
  operation: string;
  authOk: boolean;
  /** By the emulator's clock (ms). */
  time: number;
  /** The x-request-id answered. */
  requestId: string;
}

export interface Emulator {
  url: string;
  port: number;
  state: EmulatorState;
  /** Every DCS request received, oldest first (the array is kept across reset(), emptied in place). */
  requests: RecordedRequest[];
  faults: FaultController;
  /** Where a client connects to reach a node's real redis-server; null for a simulated node. */
  nodeAddress(nodeId: string): { host: string; port: number } | null;
  /** The nodes backed by a real redis-server (empty without them). */
  realNodes(): RealNode[];
  /** State back to the seed, requests forgotten, faults cleared (real sessions stay as they are). */
  reset(): void;
  /** Stops the server, its job timers, and the redis-servers it spawned. */
  close(): Promise<void>;
}

interface Settings {
  now: () => number;
  maxSkewMs: number;
  maxBodyBytes: number;
  onRequest: (request: RecordedRequest) => void;
}

interface Incoming {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const seed = typeof options.seed === 'string' ? loadSeedFile(options.seed) : parseSeed(options.seed ?? demoSeed, options.seed ? 'seed object' : 'seeds/demo.json');
  const settings: Settings = {
    now: options.now ?? Date.now,
    maxSkewMs: options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    onRequest: options.onRequest ?? (() => undefined),
  };
  const redis = await startRedisNodes(seed, options);
  const state = new EmulatorState(seed, {
    now: settings.now,
    jobDurationMs: options.jobDurationMs ?? DEFAULT_JOB_DURATION_MS,
    // With the real clock, jobs end on time by themselves: a kill drops real connections even if nobody polls.
    settleOnTime: options.now === undefined,
    ...(options.listPageSize !== undefined ? { listPageSize: checkedPageSize(options.listPageSize) } : {}),
    ...(options.sessionBackend ? { sessionBackend: options.sessionBackend } : {}),
    ...(redis ? { realSessions: redis } : {}),
  });
  const faults = new FaultController();
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const reset = (): void => {
    state.reset();
    faults.clear();
    requests.length = 0;
  };
  const dcs = new DcsHandler(state, faults, requests, settings, timers);

  const server = createServer((req, res) => {
    const requestId = newRequestId();
    res.setHeader('X-Request-Id', requestId);
    const work = (req.url ?? '').startsWith(CONTROL_PREFIX)
      ? handleControl(req, res, { state, faults, requests, reset })
      : dcs.handle({ req, res, requestId });
    work.catch(() => {
      // A bug in the emulator: answer 500 rather than leave the client hanging.
      if (!res.headersSent) sendJson(res, 500, { error_code: 'DCS.5000', error_msg: 'Emulator internal error.' });
    });
  });
  const close = async (): Promise<void> => {
    state.close();
    // Pending latency timers die with the server.
    for (const t of timers) clearTimeout(t);
    timers.clear();
    await closeServer(server);
    await redis?.close();
  };
  let port: number;
  try {
    port = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  } catch (e) {
    await close();
    throw e;
  }
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    state,
    requests,
    faults,
    nodeAddress: (nodeId) => redis?.nodeAddress(nodeId) ?? null,
    realNodes: () => redis?.realNodes() ?? [],
    reset,
    close,
  };
}

function checkedPageSize(size: number): number {
  if (!Number.isInteger(size) || size < 1 || size > 1000) throw new RangeError(`listPageSize must be an integer from 1 to 1000, got ${size}`);
  return size;
}

/** The redis-server nodes asked for by the seed and options, started; null when there are none. */
async function startRedisNodes(seed: ValidSeed, options: EmulatorOptions): Promise<RedisSessionBackend | null> {
  const settings = redisNodeSettings(seed, options.redisNodes);
  if (Object.keys(settings).length === 0) return null;
  if (options.sessionBackend) throw new RedisBackendError('REDIS_NODES_INVALID', 'choose sessionBackend or real redis nodes, not both');
  return RedisSessionBackend.start(settings);
}

class DcsHandler {
  constructor(
    private readonly state: EmulatorState,
    private readonly faults: FaultController,
    private readonly requests: RecordedRequest[],
    private readonly settings: Settings,
    private readonly timers: Set<NodeJS.Timeout>,
  ) {}

  async handle({ req, res, requestId }: Incoming): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = req.url ?? '/';
    const [path = '/', rawQuery = ''] = splitOnce(url, '?');
    const match = matchRoute(method, path);
    const key: RequestKey = { operation: match?.route.operation ?? 'unknown', method, path };

    const maxBodyBytes = match?.route.maxBodyBytes ?? this.settings.maxBodyBytes;
    const read = await readBody(req, maxBodyBytes);
    const raw = read.ok ? read.raw : Buffer.alloc(0);
    const auth = this.authenticate(method, url, req.headers, raw, path);
    const json = parseJson(raw);
    const record: RecordedRequest = {
      method,
      path,
      query: parseQuery(rawQuery),
      headers: { ...req.headers },
      body: json.ok ? json.value : null,
      rawBody: raw.toString('utf8'),
      status: null,
      operation: key.operation,
      authOk: auth === null,
      time: this.settings.now(),
      requestId,
    };
    this.requests.push(record);
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      record.status = status;
      sendJson(res, status, body, headers);
      this.settings.onRequest(record);
    };
    const answerError = (e: ApiError | AuthFailure): void =>
      'errorCode' in e ? answer(e.status, { error_code: e.errorCode, error_msg: e.errorMsg }) : answer(e.status, { error_code: e.error_code, error_msg: e.error_msg });

    if (!read.ok) return answerError(DcsErrors.bodyTooLarge(maxBodyBytes));
    if (await applyFaultPlan(this.faults.planFor(key), req.socket, answer, (ms) => this.delay(ms))) {
      if (record.status === null) this.settings.onRequest(record);
      return;
    }
    if (!match) return answerError(DcsErrors.routeNotFound());
    if (auth) return answerError(auth);
    if (match.route.hasBody && !json.ok) return answerError(DcsErrors.invalidJson());

    await this.state.settle();
    const result = await this.dispatch(match, record, key);
    answer(result.status, result.body);
  }

  private dispatch(match: MatchedRoute, record: RecordedRequest, key: RequestKey) {
    return match.route.handle({
      state: this.state,
      projectId: match.projectId,
      params: match.params,
      query: record.query,
      body: match.route.hasBody ? record.body : null,
      takeJobFault: () => this.faults.takeJobFault(key),
    });
  }

  /** Signature, then project scope; null when the request may proceed. */
  private authenticate(method: string, url: string, headers: IncomingHttpHeaders, body: Buffer, path: string): AuthFailure | null {
    const verified = verify({ method, url, headers, body }, { lookup: (ak) => this.state.credential(ak), now: this.settings.now, maxSkewMs: this.settings.maxSkewMs });
    if (!verified.ok) return verified.error;
    const headerProject = headers['x-project-id'];
    return checkProjectScope(verified.value, typeof headerProject === 'string' ? headerProject : undefined, projectIdOfPath(path));
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}

function splitOnce(text: string, sep: string): [string, string] {
  const i = text.indexOf(sep);
  return i < 0 ? [text, ''] : [text.slice(0, i), text.slice(i + 1)];
}
