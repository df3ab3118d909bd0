/**
 * The events FunctionGraph hands a function, built from a local HTTP request.
 * Shapes follow reference/events.md; every id a platform would mint is minted here too,
 * so a handler cannot tell the local gateway from the real trigger.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { ApigEvent, SmnTriggerEvent, TimerEvent } from '../../lib/fg/types';

/** What the local gateway knows about one incoming request. */
export interface GatewayRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Names the local "deployment" uses where FunctionGraph would use the real ones. */
export interface LocalDeployment {
  projectId: string;
  region: string;
  /** The API id / function names shown in the events. */
  apiId: string;
  alarmFunction: string;
}

const hex32 = (): string => randomBytes(16).toString('hex');

/** APIG passes headers lower-cased, one string each (repeated headers joined with ","). */
export function apigHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  return out;
}

/** The first value of each query parameter, as APIG gives it. */
function firstValues(query: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of query) if (!(key in out)) out[key] = value;
  return out;
}

/** POST /cloudeye: the webhook request as an APIG trigger event (body base64, as APIG sends it). */
export function apigEvent(req: GatewayRequest, deployment: LocalDeployment): ApigEvent {
  return {
    body: req.body.toString('base64'),
    requestContext: { apiId: deployment.apiId, requestId: hex32(), stage: 'RELEASE' },
    queryStringParameters: firstValues(req.query),
    httpMethod: req.method,
    pathParameters: {},
    headers: apigHeaders(req.headers),
    path: req.path,
    isBase64Encoded: true,
  };
}

export interface SmnTriggerOptions {
  /** The alarm JSON exactly as posted: SMN carries it as a string. */
  message: string;
  topicUrn: string;
  /** A fixed id makes a redelivery (the dedup guard drops it); default: a fresh one. */
  messageId?: string;
  subject?: string;
  now: Date;
}

/** POST /smn: the alarm message delivered by a FunctionGraph SMN trigger (no signature: the platform delivers it). */
export function smnTriggerEvent(opts: SmnTriggerOptions, deployment: LocalDeployment): SmnTriggerEvent {
  return {
    record: [
      {
        event_version: '1.0',
        smn: {
          topic_urn: opts.topicUrn,
          timestamp: opts.now.toISOString(),
          message_attributes: null,
          message: opts.message,
          type: 'notification',
          message_id: opts.messageId ?? hex32(),
          subject: opts.subject ?? 'Cloud Eye alarm (local runner)',
        },
        event_subscription_urn: `urn:fss:${deployment.region}:${deployment.projectId}:function:default:${deployment.alarmFunction}:latest`,
        event_source: 'smn',
      },
    ],
    functionname: deployment.alarmFunction,
    requestId: randomUUID(),
    timestamp: opts.now.toString(),
  };
}

/** POST /timer/<schedule>: a timer trigger whose user_event names the schedule. */
export function timerEvent(schedule: string, now: Date): TimerEvent {
  return {
    version: 'v1.0',
    time: now.toISOString(),
    trigger_type: 'TIMER',
    trigger_name: `local-${schedule}`,
    user_event: JSON.stringify({ schedule }),
  };
}

/** The topic the local SMN trigger claims to deliver from. */
export function defaultTopicUrn(deployment: LocalDeployment): string {
  return `urn:smn:${deployment.region}:${deployment.projectId}:dcs-alarms`;
}
