/**
 * One HTTPS GET with hard limits, for the two outbound calls SMN messages can
 * cause (certificate download, subscription confirmation): an overall
 * deadline, a response size cap, no redirects followed (node:https never
 * follows them; a 3xx is returned as is), no connection reuse.
 */
import type * as Https from 'node:https';
import { err, ok, type Result } from '../domain/types';

export interface HttpsGetOptions {
  timeoutMs: number;
  maxBytes: number;
  /** Trusted CA(s) instead of the system store: tests use a local server with a self-signed certificate. */
  ca?: string | Buffer;
}

export type HttpsGetFailure = { kind: 'timeout' } | { kind: 'too_large' } | { kind: 'network'; detail: string };

export interface HttpsGetResponse {
  status: number;
  body: Buffer;
}

export function httpsGet(url: URL, options: HttpsGetOptions): Promise<Result<HttpsGetResponse, HttpsGetFailure>> {
  return new Promise((resolve) => {
    let request: ReturnType<typeof Https.request> | undefined;
    let settled = false;
    const finish = (result: Result<HttpsGetResponse, HttpsGetFailure>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request?.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish(err({ kind: 'timeout' })), options.timeoutMs);
    const networkError = (e: NodeJS.ErrnoException): void => finish(err({ kind: 'network', detail: e.code ?? e.message }));

    try {
      // Required here, not imported: loading node:https costs a cold start ~10 ms, and most invocations never fetch.
      const https = require('node:https') as typeof Https;
      request = https.request(url, {
        method: 'GET',
        agent: false,
        headers: { accept: '*/*', 'user-agent': 'dcs-session-guard' },
        ...(options.ca !== undefined ? { ca: options.ca } : {}),
      });
    } catch (e) {
      // Invalid options (e.g. an unusable CA) throw synchronously: still a value, never an exception.
      return networkError(e as NodeJS.ErrnoException);
    }
    request.on('error', networkError);
    request.on('response', (response) => {
      const declared = Number(response.headers['content-length']);
      if (Number.isFinite(declared) && declared > options.maxBytes) return finish(err({ kind: 'too_large' }));
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) finish(err({ kind: 'too_large' }));
        else chunks.push(chunk);
      });
      response.on('end', () => finish(ok({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) })));
      response.on('error', networkError);
    });
    request.end();
  });
}

export function describeFailure(failure: HttpsGetFailure, timeoutMs: number, maxBytes: number): string {
  switch (failure.kind) {
    case 'timeout':
      return `no complete answer within ${timeoutMs} ms`;
    case 'too_large':
      return `answer larger than ${maxBytes} bytes`;
    case 'network':
      return `connection failed (${failure.detail})`;
  }
}
