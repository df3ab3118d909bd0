/**
 * A tiny real HTTP server on 127.0.0.1 for the DCS client tests: it records
 * every request and answers what the test scripts (canned JSON, a redirect,
 * a connection reset, or no answer at all).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The client's side of the TCP connection: equal ports = a reused connection. */
  remotePort: number | undefined;
}

export type Reply =
  | { status: number; json?: unknown; text?: string; headers?: Record<string, string> }
  /** TCP RST after the request arrived (client sees ECONNRESET). */
  | { reset: true }
  /** Close the socket without answering (client sees "socket hang up"). */
  | { hangUp: true }
  /** Never answer (client times out). */
  | { hang: true };

export type Script = (request: RecordedRequest, index: number) => Reply;

export interface CannedServer {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Requests whose path starts with `prefix`. */
  requestsTo(prefix: string): RecordedRequest[];
  close(): Promise<void>;
}

function record(req: http.IncomingMessage, body: string): RecordedRequest {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  return {
    method: req.method ?? '',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams.entries()),
    headers: req.headers,
    body,
    remotePort: req.socket.remotePort,
  };
}

function answer(res: http.ServerResponse, reply: Reply): void {
  if ('reset' in reply) {
    res.socket?.resetAndDestroy();
  } else if ('hangUp' in reply) {
    res.socket?.destroy();
  } else if ('hang' in reply) {
    // Leave the request open: close() tears the socket down.
  } else {
    const body = reply.json !== undefined ? JSON.stringify(reply.json) : (reply.text ?? '');
    const type = reply.json !== undefined ? 'application/json' : 'text/plain';
    res.writeHead(reply.status, { 'content-type': type, ...reply.headers });
    res.end(body);
  }
}

export async function startCannedServer(script: Script): Promise<CannedServer> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded = record(req, Buffer.concat(chunks).toString('utf8'));
      requests.push(recorded);
      answer(res, script(recorded, requests.length - 1));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    requestsTo: (prefix) => requests.filter((r) => r.path.startsWith(prefix)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on which nothing listens (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
