/**
 * Shapes of the identifiers that flow from events into API paths, cache keys
 * and audit records. Anything that does not match is refused before use.
 */
import { REGION, SAFE_TOKEN_CHARS, UUID, safeToken } from '../domain/ids';

/**
 * Node dimension values (dcs_cluster_redis_node, ...): hex or uuid-like, 1-64 safe-token
 * characters, so the value can never alter a URL path or a key it is placed in.
 */
export const NODE_ID = safeToken(1, 64);

/** Cloud Eye alarm ids and alarm record ids: "al1704475580412b2a4lnr3W", "ah1748876175242njvndyzMZ". */
export const ALARM_ID = new RegExp(`^${SAFE_TOKEN_CHARS}{1,64}$`);

/** SMN message types: Notification, SubscriptionConfirmation, ... (any case: the trigger says "notification"). */
export const MESSAGE_TYPE = /^[A-Za-z]{1,64}$/;

/** SMN message ids (32 hex in practice). */
export const MESSAGE_ID = new RegExp(`^${SAFE_TOKEN_CHARS}{1,128}$`);

/** urn:smn:<region>:<project id>:<topic name> */
export const TOPIC_URN = /^urn:smn:[a-z0-9-]{1,64}:[A-Za-z0-9]{1,64}:[A-Za-z0-9_-]{1,256}$/;

/** Schedule names (policy keys, timer user_event). */
export const SCHEDULE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** Free text that may be logged: no control characters (no log-line forging with \n or ANSI escapes). */
export const PRINTABLE = /^[^\u0000-\u001f\u007f]*$/;

/** DCS instance ids are UUIDs (any case accepted, kept as given). */
export const isUuid = (s: string): boolean => UUID.test(s);

/** The region part of a topic URN, when it is a well-formed region id. */
export function regionOfTopicUrn(topicUrn: string | null | undefined): string | null {
  const region = topicUrn?.split(':')[2];
  return region !== undefined && REGION.test(region) ? region : null;
}
