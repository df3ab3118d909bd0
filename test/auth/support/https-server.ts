/**
 * A real HTTPS server on 127.0.0.1 (random port) with the TEST-ONLY TLS
 * certificate, recording every request it receives.
 */
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { useSuiteResource } from '../../support/suite-resource';
import { TLS_CERT, TLS_KEY } from './keys';

export interface TestHttpsServer {
  /** https://127.0.0.1:<port> */
  origin: string;
  port: number;
  /** Method and path of every request received, in order. */
  requests: string[];
  close(): Promise<void>;
}

export type Respond = (req: IncomingMessage, res: ServerResponse) => void;

export async function startHttpsServer(respond: Respond): Promise<TestHttpsServer> {
  const requests: string[] = [];
  const server = https.createServer({ key: TLS_KEY, cert: TLS_CERT }, (req, res) => {
    requests.push(`${req.method} ${req.url}`);
    respond(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `https://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers by path (the query ignored); any other path gets 404. */
export function byPath(routes: Record<string, (res: ServerResponse) => void>): Respond {
  return (req, res) => {
    const route = routes[(req.url ?? '').split('?')[0]!];
    if (route) route(res);
    else res.writeHead(404).end();
  };
}

/** A server for the enclosing suite (call at its top): started before it, its request log emptied before each test, closed after. */
export function useHttpsServer(respond: Respond): TestHttpsServer {
  return useSuiteResource(() => startHttpsServer(respond), {
    reset: (server) => {
      server.requests.length = 0;
    },
    close: (server) => server.close(),
  });
}
