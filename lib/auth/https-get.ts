/**
 * One HTTPS GET with hard limits, for the two outbound calls SMN messages can
 * cause (certificate download, subscription confirmation): lib/net/http-request.ts
 * (overall deadline, size cap, no redirects followed, no connection reuse).
 */
import type { Result } from '../domain/types';
import { httpRequest, type HttpFailure, type HttpRequestOptions, type HttpResponse } from '../net/http-request';

export { describeFailure } from '../net/http-request';
export type HttpsGetOptions = Omit<HttpRequestOptions, 'method' | 'headers' | 'body'>;
export type HttpsGetFailure = HttpFailure;
export type HttpsGetResponse = HttpResponse;

export function httpsGet(url: URL, options: HttpsGetOptions): Promise<Result<HttpsGetResponse, HttpsGetFailure>> {
  return httpRequest(url, { ...options, method: 'GET' });
}
