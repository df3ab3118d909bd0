/**
 * Test helpers for the emulator: requests signed by sdk-core's own signer (AKSKSigner), sent
 * over real HTTP, and a real HcClient built with ClientBuilder. Nothing here signs with the
 * emulator's code, so a test that passes proves the verifier agrees with the SDK.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { Emulator } from '../../dev/emulator/server';

// sdk-core logs whole requests (Authorization included) at ERROR on failures: silence it first.
const log4js = require('log4js') as { configure: (c: unknown) => void };
const { AKSKSigner } = require('@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner') as {
  AKSKSigner: { sign: (request: unknown, credential: { getAk(): string; getSk(): string }) => Record<string, string> };
};
const { ClientBuilder } = require('@huaweicloud/huaweicloud-sdk-core/ClientBuilder') as { ClientBuilder: new (init: (hc: HcClient) => HcClient) => Builder };
const { BasicCredentials } = require('@huaweicloud/huaweicloud-sdk-core') as { BasicCredentials: new () => Creds };
log4js.configure({ appenders: { none: { type: 'stdout' } }, categories: { default: { appenders: ['none'], level: 'off' } } });

interface Creds {
  withAk(v: string): Creds;
  withSk(v: string): Creds;
  withProjectId(v: string): Creds;
  withSecurityToken(v: string): Creds;
}
interface Builder {
  withCredential(c: Creds): Builder;
  withEndpoint(url: string): Builder;
  withOptions(o: unknown): Builder;
  build(): HcClient;
}
export interface HcClient {
  sendRequest(options: {
    method: string;
    url: string;
    contentType?: string;
    pathParams: Record<string, string>;
    queryParams?: Record<string, string | number>;
    headers?: Record<string, string>;
    data?: unknown;
  }): Promise<Record<string, unknown> & { httpStatusCode: number }>;
}

export const DEMO = {
  projectId: '0b8f4a2e5c6d47e1a9b3c8d7e6f5a4b3',
  ak: 'DEMOACCESSKEYID00001',
  sk: 'DEMO-SECRET-KEY-not-a-real-secret-00001',
  shop: '5e2b1c9a-7f3d-4d2e-9b8a-1c2d3e4f5a6b',
  /** The shop-cache master whose Cloud Eye dimension is the fixture's node alarm. */
  alarmedDimension: '3f1e2d3c4b5a69788796a5b4c3d2e1f0',
  proxy: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
  memcached: '6c7d8e9f-0a1b-4c2d-8e3f-4a5b6c7d8e9f',
  redis3: '7d8e9f0a-1b2c-4d3e-9f4a-5b6c7d8e9f0a',
  frozen: '8e9f0a1b-2c3d-4e4f-8a5b-6c7d8e9f0a1b',
  restarting: '9f0a1b2c-3d4e-4f5a-9b6c-7d8e9f0a1b2c',
  real: { projectId: '477a784601d744e4ab9ab83986502d31', ak: 'DEMOACCESSKEYID00002', sk: 'DEMO-SECRET-KEY-not-a-real-secret-00002', instance: '3dc7b9ea-70b4-4c38-942d-e2636e6d844c' },
} as const;

export interface Identity {
  ak: string;
  sk: string;
  projectId: string;
  securityToken?: string;
}

export const demoIdentity: Identity = { ak: DEMO.ak, sk: DEMO.sk, projectId: DEMO.projectId };

/** A real sdk-core client pointed at the emulator, redirects off and a timeout set. */
export function sdkClient(emulator: Emulator, id: Identity = demoIdentity, timeoutMs = 5000): HcClient {
  let creds = new BasicCredentials().withAk(id.ak).withSk(id.sk).withProjectId(id.projectId);
  if (id.securityToken) creds = creds.withSecurityToken(id.securityToken);
  return new ClientBuilder((hc) => hc)
    .withCredential(creds)
    .withEndpoint(emulator.url)
    .withOptions({ axiosRequestConfig: { timeout: timeoutMs, maxRedirects: 0 } })
    .build();
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: unknown;
}

export interface SignedCall {
  method: string;
  /** Path with {project_id} already filled. */
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  /** Extra headers that are signed (X-Project-Id is added from the identity unless given). */
  headers?: Record<string, string>;
  /** Change the body after signing (a tampering proxy). */
  sendBody?: string;
}

/** Signs with sdk-core's AKSKSigner exactly like HcClient does, then sends over node:http. */
export function signedRequest(emulator: Pick<Emulator, 'url'>, call: SignedCall, id: Identity = demoIdentity): Promise<RawResponse> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'X-Project-Id': id.projectId, ...(call.headers ?? {}) };
  if (id.securityToken) headers['X-Security-Token'] = id.securityToken;
  const signed = AKSKSigner.sign(
    { endpoint: `${emulator.url}${call.path}`, method: call.method, headers, queryParams: call.query ?? {}, data: call.body },
    { getAk: () => id.ak, getSk: () => id.sk },
  );
  const query = new URLSearchParams(call.query ?? {}).toString();
  const body = call.sendBody ?? (call.body === undefined ? '' : JSON.stringify(call.body));
  return rawRequest(`${emulator.url}${call.path}${query ? `?${query}` : ''}`, call.method, signed, body);
}

/** A plain HTTP request; rejects on a reset connection. */
export function rawRequest(url: string, method: string, headers: Record<string, string>, body = ''): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown = null;
        try {
          json = text ? JSON.parse(text) : null;
        } catch {
          json = null;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The error an sdk-core call failed with, typed loosely for assertions. */
export async function sdkFailure(p: Promise<unknown>): Promise<{ name: string; httpStatusCode?: number; errorCode?: string; errorMsg?: string; requestId?: string }> {
  try {
    await p;
  } catch (e) {
    return e as { name: string };
  }
  throw new Error('expected the SDK call to fail');
}

/** A hand-controlled clock for the emulator. */
export function manualClock(start = Date.now()): { now: () => number; advance: (ms: number) => void; set: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms), set: (ms) => (t = ms) };
}
