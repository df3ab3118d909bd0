/**
 * A real HTTPS server on 127.0.0.1 (random port) with the TEST-ONLY TLS
 * certificate, recording every request it receives.
 */
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
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
