/**
 * "Sent or not" is what the socket saw (lib/dcs/send-evidence.ts), through the
 * real client, sdk-core and axios, against real sockets: servers that refuse,
 * stay silent, fail the TLS handshake, or read the request and then break.
 * A kill-all is re-sent only when it provably never left; otherwise once.
 */
import * as http from 'node:http';
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { DcsError } from '../../lib/dcs';
import { TLS_CERT, TLS_KEY } from '../auth/support/keys';
import { INSTANCE_ID, testClient } from './support/fixtures';

interface Front {
  url: string;
  /** TCP connections accepted. */
  connections: number;
  /** Requests that reached the HTTP layer (fully read). */
  requests: number;
  close(): Promise<void>;
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

async function serve(scheme: 'http' | 'https', server: net.Server, counts: { connections: number; requests: number }): Promise<Front> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    counts.connections += 1;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const port = await listen(server);
  return Object.assign(counts, {
    url: `${scheme}://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => resolve());
      }),
  });
}

/** A plain HTTP server that reads each request whole, then does `after` to the socket. */
function httpFront(after: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<Front> {
  const counts = { connections: 0, requests: 0 };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      counts.requests += 1;
      after(req, res);
    });
  });
  return serve('http', server, counts);
}

const killAll = (url: string, timeoutMs = 2000) =>
  testClient(url, { timeoutMs }).hangUpKillAllClients({ instanceId: INSTANCE_ID, body: { kill_all_nodes: true } });

async function failure(promise: Promise<unknown>): Promise<DcsError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof DcsError) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}

const fronts: Front[] = [];
afterEach(async () => {
  await Promise.all(fronts.splice(0).map((f) => f.close()));
});
const track = (f: Front) => (fronts.push(f), f);

describe('provably not sent: re-sent within the retry policy', () => {
  test('connection refused', async () => {
    const closed = track(await serve('http', net.createServer(), { connections: 0, requests: 0 }));
    const url = closed.url;
    await closed.close();
    const error = await failure(killAll(url));
    expect([error.kind, error.code]).toEqual(['not_sent', 'connection_refused']);
  });

  test('TLS handshake that fails (a certificate the client does not trust): no request reaches the HTTP layer', async () => {
    const counts = { connections: 0, requests: 0 };
    const tlsServer = tls.createServer({ key: TLS_KEY, cert: TLS_CERT }, (s) => s.on('data', () => (counts.requests += 1)));
    const front = track(await serve('https', tlsServer, counts));
    const error = await failure(killAll(front.url));
    expect([error.kind, error.code]).toEqual(['not_sent', 'tls_failure']);
    expect(front.connections).toBe(3);
    expect(front.requests).toBe(0);
  });

  test('a server that accepts TCP but never completes the TLS handshake: the timeout comes before anything was written', async () => {
    const front = track(await serve('https', net.createServer(() => undefined), { connections: 0, requests: 0 }));
    const error = await failure(killAll(front.url, 300));
    expect([error.kind, error.code]).toEqual(['not_sent', 'timeout']);
    expect(front.connections).toBe(3);
  });
});

describe('connected, then broken: outcome unknown, sent exactly once', () => {
  test('reset after the request was read', async () => {
    const front = track(await httpFront((req) => req.socket.destroy()));
    const error = await failure(killAll(front.url));
    expect([error.kind, error.code]).toEqual(['outcome_unknown', 'connection_reset']);
    expect(front.requests).toBe(1);
  });

  test('garbage instead of an HTTP answer', async () => {
    const front = track(await httpFront((req) => req.socket.end('HTTP/9 ??? garbage\r\n\r\n')));
    const error = await failure(killAll(front.url));
    expect(error.kind).toBe('outcome_unknown');
    expect(front.requests).toBe(1);
  });

  test('no answer within the timeout', async () => {
    const front = track(await httpFront(() => undefined));
    const error = await failure(killAll(front.url, 300));
    expect([error.kind, error.code]).toEqual(['outcome_unknown', 'timeout']);
    expect(front.requests).toBe(1);
  });
});

test('reads on a reused keep-alive socket: a reset there is not proof of anything either', async () => {
  let n = 0;
  const front = track(
    await httpFront((req, res) => {
      n += 1;
      if (n === 1) return res.writeHead(200, { 'content-type': 'application/json', connection: 'keep-alive' }).end(JSON.stringify(instance()));
      req.socket.destroy();
    }),
  );
  const client = testClient(front.url, {}, { readRetry: { maxAttempts: 1 } });
  await client.showInstance({ instanceId: INSTANCE_ID });
  const error = await failure(client.showInstance({ instanceId: INSTANCE_ID }));
  expect(error.kind).toBe('outcome_unknown');
  expect(front.connections).toBe(1);
});

function instance() {
  return { instance_id: INSTANCE_ID, name: 'shop', engine: 'Redis', engine_version: '6.0', status: 'RUNNING', cache_mode: 'ha' };
}
