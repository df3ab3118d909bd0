/**
 * A Huawei Cloud service besides DCS (SMN, Cloud Eye), called through the same
 * hardened sdk-core transport as the DCS client (lib/dcs/sdk-core.ts): core's
 * logging silenced, an explicit timeout, no redirects, exactly one endpoint,
 * the project id always set, and core loaded on the first call only, so an
 * invocation that notifies nobody never pays for it.
 *
 * One attempt per call, never retried: these calls tell people about a
 * decision that is already made; a re-sent publish after a timeout could
 * notify twice, and a retry loop would eat the invocation's budget.
 */
import { DEFAULT_USER_AGENT } from '../dcs/client';
import { DcsError, mapSdkError, type ServiceLabel } from '../dcs/errors';
import { buildCoreTransport, type CoreEndpointConfig, type CoreTransport } from '../dcs/sdk-core';

/** Below this much time before the deadline a call is not started at all. */
export const MIN_CALL_MS = 50;

export interface ServiceCall {
  /** The official SDK operation name, e.g. publishMessage. */
  operation: string;
  method: 'POST';
  url: string;
  pathParams: Record<string, string>;
  body: Record<string, unknown> | unknown[];
}

export class CoreServiceClient {
  #transport: CoreTransport | null = null;

  constructor(
    readonly config: CoreEndpointConfig,
    readonly service: ServiceLabel,
    private readonly now: () => number = Date.now,
  ) {}

  /** Sends once, within min(timeoutMs, deadline); every failure is a DcsError with a safe message. */
  async send(call: ServiceCall, deadlineEpochMs?: number): Promise<unknown> {
    const left = deadlineEpochMs === undefined ? Number.POSITIVE_INFINITY : deadlineEpochMs - this.now();
    if (left < MIN_CALL_MS) {
      throw new DcsError({ kind: 'not_sent', code: 'deadline_exceeded', message: `${call.operation} not sent: only ${Math.max(0, Math.floor(left))} ms left before the deadline` });
    }
    try {
      this.#transport ??= buildCoreTransport(this.config, DEFAULT_USER_AGENT);
      return await this.#transport.send({
        method: call.method,
        url: call.url,
        pathParams: call.pathParams,
        queryParams: {},
        body: call.body,
        timeoutMs: Math.floor(Math.min(this.config.timeoutMs, left)),
        // A notification is small and rare: a pooled socket closed while the container was frozen would only cost a failure.
        freshConnection: true,
      });
    } catch (error) {
      throw mapSdkError(error, call.operation, this.config.credentials.secretValues(), this.service);
    }
  }

  /** Nothing of the credentials in logs of the client object. */
  toJSON(): Record<string, string> {
    return { service: this.service.name, endpoint: this.config.endpoint, projectId: this.config.projectId };
  }
}
