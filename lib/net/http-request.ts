/**
 * One outbound HTTP(S) request with hard limits, for the calls the function
 * makes to addresses it did not choose itself (SMN certificate download and
 * subscription confirmation, notification webhooks): an overall deadline, a
 * response size cap, no redirects followed (node:http(s) never follow them; a
 * 3xx is returned as is), no connection reuse. Plain http only to a loopback
 * address (local tests and the local loop): anywhere else it is refused
 * before a socket is opened.
 */
import type * as Http from 'node:http';
import { err, ok, type Result } from '../domain/types';
import { isLoopbackHost } from './ip';

export interface HttpRequestOptions {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  maxBytes: number;
  /** Trusted CA(s) instead of the system store: tests use a local server with a self-signed certificate. */
  ca?: string | Buffer;
}

export type HttpFailure = { kind: 'timeout' } | { kind: 'too_large' } | { kind: 'network'; detail: string };

export interface HttpResponse {
  status: number;
  body: Buffer;
}


export function httpRequest(url: URL, options: HttpRequestOptions): Promise<Result<HttpResponse, HttpFailure>> {
  return new Promise((resolve) => {
    let request: Http.ClientRequest | undefined;
    let settled = false;
    const finish = (result: Result<HttpResponse, HttpFailure>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request?.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish(err({ kind: 'timeout' })), options.timeoutMs);
    const networkError = (e: NodeJS.ErrnoException): void => finish(err({ kind: 'network', detail: e.code ?? 'error' }));

    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
      return networkError(Object.assign(new Error('refused'), { code: 'https_required' }));
    }
    const headers: Record<string, string> = { accept: '*/*', 'user-agent': 'dcs-session-guard', ...options.headers };
    if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
    try {
      // Required here, not imported: loading node:https costs a cold start ~10 ms, and most invocations never call out.
      const transport = (url.protocol === 'https:' ? require('node:https') : require('node:http')) as typeof Http;
      request = transport.request(url, { method: options.method, agent: false, headers, ...(options.ca !== undefined ? { ca: options.ca } : {}) });
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
    request.end(options.body);
  });
}

export function describeFailure(failure: HttpFailure, timeoutMs: number, maxBytes: number): string {
  switch (failure.kind) {
    case 'timeout':
      return `no complete answer within ${timeoutMs} ms`;
    case 'too_large':
      return `answer larger than ${maxBytes} bytes`;
    case 'network':
      return `connection failed (${failure.detail})`;
  }
}
