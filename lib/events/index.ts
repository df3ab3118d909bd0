/** Event parsing and validation: the public surface of lib/events. */
export { readAlarmEvent, isApigEvent, toDelivery } from './alarm-event';
export type { AlarmEventForm, SmnDelivery } from './alarm-event';
export { parseAlarmMessage, parseAlarmTime } from './alarm-message';
export type { AlarmSignal, ParsedMessage } from './alarm-message';
export { readTimerEvent } from './timer-event';
export type { TimerRequest } from './timer-event';
export { parseJson, DEFAULT_MAX_JSON_BYTES, DEFAULT_MAX_JSON_DEPTH, FORBIDDEN_KEYS } from './safe-json';
export type { JsonLimits } from './safe-json';
export { parseDimensionString, dcsDimensions, NODE_DIMENSIONS, INSTANCE_DIMENSIONS } from './dimensions';
export type { Dimension, NodeDimensionName, DcsDimensions } from './dimensions';
export { canonicalMessageType, isSignedMessageType, readSmnHttpMessage, SIGNED_MESSAGE_TYPES } from './smn-message';
export type { SmnMessageType } from './smn-message';
export { isUuid, regionOfTopicUrn } from './ids';
