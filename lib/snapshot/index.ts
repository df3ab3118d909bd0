/** Session snapshot before a kill (issue 8): who was connected, bounded in time and size. */
export { takeSessionSnapshot, type SessionSnapshot, type SnapshotDcs, type SnapshotOptions } from './take';
export { summarizeSessions, clientIp, DEFAULT_TOP_CLIENTS, type ClientCount, type SessionSummary } from './summary';
export { chooseSnapshotNodes, type NodeChoice } from './nodes';
