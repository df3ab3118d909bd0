/**
 * Local HTTP(S) servers standing for the hosts an SMN message may name:
 * allowed ones (certificate download, subscription confirmation) and
 * disallowed ones, which must never be contacted. They count TCP
 * connections, not just HTTP requests: a refused TLS handshake (wrong host
 * name) still proves the function reached out.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TLS_CERT, TLS_KEY } from '../../auth/support/keys';

/** Trust anchor for the bundles' child processes (node reads it at start). */
export const TLS_CA_FILE = path.resolve(__dirname, '..', '..', 'fixtures', 'keys', 'test-only.tls-localhost.cert.pem');

export interface RecordingServer {
  origin: string;
  connections: () => number;
  /** "GET /path?query" of every request, in order. */
  requests: string[];
  reset(): void;
  close(): Promise<void>;
}

export type Respond = (req: IncomingMessage, res: ServerResponse) => void;

const ok: Respond = (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');

export async function startRecordingServer(opts: { tls: boolean; host?: string; respond?: Respond }): Promise<RecordingServer> {
  const requests: string[] = [];
  const respond = opts.respond ?? ok;
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    requests.push(`${req.method} ${req.url}`);
    respond(req, res);
  };
  const server = opts.tls ? https.createServer({ key: TLS_KEY, cert: TLS_CERT }, handler) : http.createServer(handler);
  let connections = 0;
  server.on('connection', () => (connections += 1));
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `${opts.tls ? 'https' : 'http'}://${host}:${port}`,
    connections: () => connections,
    requests,
    reset: () => {
      connections = 0;
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A server for a host that is NOT on any allowlist: 127.0.0.2 (a loopback
 * address of its own on Linux), else "localhost" where that cannot be bound.
 */
export async function startDisallowedServer(): Promise<RecordingServer> {
  try {
    return await startRecordingServer({ tls: true, host: '127.0.0.2' });
  } catch {
    const server = await startRecordingServer({ tls: true, host: '127.0.0.1' });
    return { ...server, origin: server.origin.replace('127.0.0.1', 'localhost') };
  }
}
