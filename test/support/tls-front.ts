/**
 * An HTTPS front for the DCS emulator, the way a gateway or a broken network
 * sits in front of the real API: TLS with the test-only localhost certificate
 * (children trust it through NODE_EXTRA_CA_CERTS), every request passed on to
 * the emulator over plain HTTP — and, when armed, one kill-all broken in a
 * chosen way, before or after it reached the emulator.
 *
 * The front accepts raw TCP and does the TLS itself, so it can refuse a
 * connection, fail a handshake, or write bytes under the TLS layer.
 */
import * as http from 'node:http';
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { OTHER_CERT, OTHER_KEY, TLS_CERT, TLS_KEY } from '../auth/support/keys';

/**
 * What happens to the next kill-all:
 * - refuse: no connection after the preflight is accepted (ECONNREFUSED);
 * - handshake: connections after the preflight get a certificate nobody trusts;
 * - reset-after-request: passed on, the emulator acts, then the connection is cut;
 * - garbage-after-answer: passed on, the emulator answers, then a corrupted TLS record comes back;
 * - timeout: passed on, the emulator answers, the answer is never relayed.
 */
export type FrontFault = 'refuse' | 'handshake' | 'reset-after-request' | 'garbage-after-answer' | 'timeout';

export const FRONT_FAULTS: readonly FrontFault[] = ['refuse', 'handshake', 'reset-after-request', 'garbage-after-answer', 'timeout'];

const isKill = (req: http.IncomingMessage) => req.method === 'POST' && /\/clients\/kill-all$/.test(req.url ?? '');
const isPreflight = (req: http.IncomingMessage) => req.method === 'GET' && /\/instances\/[^/]+$/.test(req.url ?? '');

export class TlsFront {
  private fault: FrontFault | null = null;
  /** Connection-level faults start after the preflight has been answered. */
  private armed = false;
  private readonly sockets = new Set<net.Socket>();
  private readonly http = http.createServer((req, res) => void this.relay(req, res));
  private readonly tcp = net.createServer((raw) => this.accept(raw));
  private readonly rawOf = new WeakMap<net.Socket, net.Socket>();

  private constructor(
    private readonly upstream: URL,
    readonly port: number,
  ) {}

  static async start(upstreamUrl: string): Promise<TlsFront> {
    const probe = net.createServer();
    const port = await new Promise<number>((resolve) => probe.listen(0, '127.0.0.1', () => resolve((probe.address() as AddressInfo).port)));
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const front = new TlsFront(new URL(upstreamUrl), port);
    await front.listen();
    return front;
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** Breaks the next kill-all (and, for refuse/handshake, every connection after the next preflight). */
  breakNextKill(fault: FrontFault): void {
    this.fault = fault;
    this.armed = false;
  }

  /** Everything passes again; listening again if a refusal closed the port. */
  async heal(): Promise<void> {
    this.fault = null;
    this.armed = false;
    if (!this.tcp.listening) await this.listen();
  }

  async close(): Promise<void> {
    this.sockets.forEach((s) => s.destroy());
    if (this.tcp.listening) await new Promise<void>((resolve) => this.tcp.close(() => resolve()));
  }

  private listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.tcp.once('error', reject);
      this.tcp.listen(this.port, '127.0.0.1', () => {
        this.tcp.off('error', reject);
        resolve();
      });
    });
  }

  private accept(raw: net.Socket): void {
    this.sockets.add(raw);
    raw.on('close', () => this.sockets.delete(raw));
    raw.on('error', () => undefined);
    const untrusted = this.armed && this.fault === 'handshake';
    const secure = new tls.TLSSocket(raw, { isServer: true, key: untrusted ? OTHER_KEY : TLS_KEY, cert: untrusted ? OTHER_CERT : TLS_CERT });
    secure.on('error', () => undefined);
    this.rawOf.set(secure, raw);
    this.http.emit('connection', secure);
  }

  private async relay(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readAll(req);
    const answer = await this.forward(req, body);
    const fault = isKill(req) ? this.fault : null;
    if (fault !== null) this.fault = null;
    const socket = req.socket;
    switch (fault) {
      case 'reset-after-request':
        return void socket.destroy();
      case 'garbage-after-answer': {
        // A TLS application-data record whose MAC cannot verify, straight onto the TCP stream.
        const raw = this.rawOf.get(socket) ?? socket;
        return void raw.end(Buffer.concat([Buffer.from([0x17, 0x03, 0x03, 0x00, 0x40]), Buffer.alloc(0x40, 0xa5)]));
      }
      case 'timeout':
        return;
      default:
        break;
    }
    if (isPreflight(req) && (this.fault === 'refuse' || this.fault === 'handshake')) {
      this.armed = true;
      // Stop accepting before the preflight's answer leaves: the kill's connection is the next one.
      if (this.fault === 'refuse') this.tcp.close();
    }
    res.writeHead(answer.status, answer.headers).end(answer.body);
  }

  private forward(req: http.IncomingMessage, body: Buffer): Promise<{ status: number; headers: http.OutgoingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const out = http.request(
        { host: this.upstream.hostname, port: this.upstream.port, method: req.method, path: req.url, headers: { ...req.headers, connection: 'close' } },
        async (answer) => {
          const headers = { ...answer.headers };
          delete headers['transfer-encoding'];
          delete headers.connection;
          resolve({ status: answer.statusCode ?? 502, headers, body: await readAll(answer) });
        },
      );
      out.on('error', reject);
      out.end(body);
    });
  }
}

function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}
