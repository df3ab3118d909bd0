/**
 * FunctionGraph handler, context and event types, in the style of
 * `@types/aws-lambda`. Shapes follow reference/events.md.
 *
 * Every context method is optional: a local call with `{}` or no context works.
 */

/** Logger handed out by `context.getLogger()`. */
export interface FgLogger {
  info(...args: unknown[]): void;
  warn?(...args: unknown[]): void;
  error?(...args: unknown[]): void;
  debug?(...args: unknown[]): void;
}

/** The FunctionGraph runtime context. All members are optional on purpose. */
export interface Context {
  getRequestID?(): string;
  getRemainingTimeInMilliSeconds?(): number;
  /** Temporary credentials of the function's agency (valid 24 h). */
  getSecurityAccessKey?(): string;
  getSecuritySecretKey?(): string;
  getSecurityToken?(): string;
  /** The function's environment variables. */
  getUserData?(key: string): string | undefined;
  getFunctionName?(): string;
  getVersion?(): string;
  getMemorySize?(): number;
  getLogger?(): FgLogger;
  getAlias?(): string;
  /** Deprecated upstream; accepted, never preferred. */
  getAccessKey?(): string;
  getSecretKey?(): string;
}

/** `Handler<TEvent, TResult>` as in @types/aws-lambda, async only. */
export type Handler<TEvent = unknown, TResult = unknown> = (
  event: TEvent,
  context?: Context,
) => Promise<TResult>;

/** One record of a FunctionGraph SMN trigger event. */
export interface SmnTriggerRecord {
  event_version?: string;
  smn: {
    topic_urn?: string;
    timestamp?: string;
    message_attributes?: Record<string, unknown> | null;
    message: string;
    type?: string;
    message_id?: string;
    subject?: string;
  };
  event_subscription_urn?: string;
  event_source?: string;
}

/** FunctionGraph SMN trigger event: platform-delivered, carries no signature. */
export interface SmnTriggerEvent {
  record: SmnTriggerRecord[];
  functionname?: string;
  requestId?: string;
  timestamp?: string;
}

/** FunctionGraph APIG trigger event: the webhook's HTTP request. */
export interface ApigEvent {
  body?: string | null;
  isBase64Encoded?: boolean;
  httpMethod?: string;
  path?: string;
  headers?: Record<string, string | undefined>;
  queryStringParameters?: Record<string, string | undefined>;
  pathParameters?: Record<string, string | undefined>;
  requestContext?: { apiId?: string; requestId?: string; stage?: string; sourceIp?: string };
}

/** What an APIG-triggered function must return (anything else becomes HTTP 500). */
export interface ApigResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: false;
}

/** An SMN HTTP(S) message as posted to a subscribed endpoint. */
export interface SmnHttpMessage {
  type: string;
  message_id?: string;
  topic_urn?: string;
  subject?: string;
  message?: string;
  timestamp?: string;
  signature?: string;
  signature_version?: string;
  signing_cert_url?: string;
  subscribe_url?: string;
  unsubscribe_url?: string;
}

/** FunctionGraph timer trigger event. `version` varies: never checked. */
export interface TimerEvent {
  version?: string;
  time?: string;
  trigger_type?: string;
  trigger_name?: string;
  user_event?: string;
}
