/**
 * A local webhook receiver: records (and, in the local loop, prints) every
 * delivery it gets. HTTPS with a given certificate (tests use the test-only
 * one) or plain HTTP on loopback. A test steers its next answers: a status, a
 * robot's error body, a hang (never answers) or a reset (drops the socket).
 */
import { createServer as createHttpServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { closeServer, listen, readBody } from './http';

export interface ReceivedDelivery {
  method: string;
  /** Path and query as received (tests only: the query may hold a signature). */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  time: number;
}

export type ReceiverAnswer =
  | { kind: 'reply'; status: number; body?: string }
  | { kind: 'hang' }
  | { kind: 'reset' };

export interface WebhookReceiver {
  /** Origin, e.g. https://127.0.0.1:40123 */
  origin: string;
  deliveries: ReceivedDelivery[];
  /** Answers for the next deliveries, in order; afterwards 200 {"code":0,"errcode":0}. */
  answerNext(...answers: ReceiverAnswer[]): void;
  reset(): void;
  close(): Promise<void>;
}

export interface ReceiverOptions {
  tls?: { cert: string | Buffer; key: string | Buffer };
  port?: number;
  onDelivery?: (delivery: ReceivedDelivery) => void;
}

/** Robots answer 200 with a zero code; the generic receiver ignores the body. */
const ACCEPTED = JSON.stringify({ code: 0, errcode: 0, msg: 'ok' });

export async function startWebhookReceiver(options: ReceiverOptions = {}): Promise<WebhookReceiver> {
  const deliveries: ReceivedDelivery[] = [];
  let answers: ReceiverAnswer[] = [];
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    void readBody(req, 1024 * 1024).then((read) => {
      const delivery = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: read.ok ? read.raw.toString('utf8') : '', time: Date.now() };
      deliveries.push(delivery);
      options.onDelivery?.(delivery);
      const answer = answers.shift() ?? { kind: 'reply', status: 200 };
      if (answer.kind === 'hang') return;
      if (answer.kind === 'reset') return req.socket.destroy();
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body ?? ACCEPTED);
    });
  };
  const server: Server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handle) : createHttpServer(handle);
  const port = await listen(server, options.port ?? 0, '127.0.0.1');
  return {
    origin: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    deliveries,
    answerNext: (...next) => {
      answers.push(...next);
    },
    reset: () => {
      deliveries.length = 0;
      answers = [];
    },
    close: () => closeServer(server),
  };
}
