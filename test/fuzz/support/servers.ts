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
import { useSuiteResource } from '../../support/suite-resource';
import type { Endpoints } from './signed';

const KEYS = path.resolve(__dirname, '..', '..', 'fixtures', 'keys');

/** Trust anchor for the bundles' child processes (node reads it at start). */
export const TLS_CA_FILE = path.join(KEYS, 'test-only.tls-localhost.cert.pem');
/** The test signing certificate as a file, for SMN_SIGNING_CERT. */
export const SIGNING_CERT_FILE = path.join(KEYS, 'test-only.smn-signing.cert.pem');
/** A certificate that verifies none of the test messages, for SMN_SIGNING_CERT. */
export const OTHER_CERT_FILE = path.join(KEYS, 'test-only.other-signing.cert.pem');

/** Offline: certificate downloads and confirmations may only go to the local allowed servers (127.0.0.1, trusted via TLS_CA_FILE). */
export const LOCAL_HOSTS_ENV = {
  SMN_CERT_HOSTS: '127.0.0.1',
  SMN_CONFIRM_HOSTS: '127.0.0.1',
  NODE_EXTRA_CA_CERTS: TLS_CA_FILE,
} as const;

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

/** The hosts an SMN message may name: allowed (cert, confirm) and never to be contacted (evil, plain). */
export interface SmnHosts {
  readonly cert: RecordingServer;
  readonly confirm: RecordingServer;
  /** A host on no allowlist. */
  readonly evil: RecordingServer;
  /** Plain HTTP on an allowed host. */
  readonly plain: RecordingServer;
  readonly endpoints: Endpoints;
  reset(): void;
  close(): Promise<void>;
}

/** `cert` answers certificate downloads; `plain` answers "OK" unless given. */
export async function startSmnHosts(respond: { cert: Respond; plain?: Respond }): Promise<SmnHosts> {
  const cert = await startRecordingServer({ tls: true, respond: respond.cert });
  const confirm = await startRecordingServer({ tls: true });
  const evil = await startDisallowedServer();
  const plain = await startRecordingServer({ tls: false, ...(respond.plain ? { respond: respond.plain } : {}) });
  const all = [cert, confirm, evil, plain];
  return {
    cert,
    confirm,
    evil,
    plain,
    endpoints: { certOrigin: cert.origin, confirmOrigin: confirm.origin, evilOrigin: evil.origin, plainOrigin: plain.origin },
    reset: () => all.forEach((server) => server.reset()),
    close: async () => {
      await Promise.all(all.map((server) => server.close()));
    },
  };
}

/** The SMN hosts for the enclosing suite (call at its top): started before it, reset before each test, closed after. */
export function useSmnHosts(respond: { cert: Respond; plain?: Respond }): SmnHosts {
  return useSuiteResource(() => startSmnHosts(respond), { reset: (hosts) => hosts.reset(), close: (hosts) => hosts.close() });
}
