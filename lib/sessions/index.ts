/** Precision session cleanup: which nodes hold sessions, reading them, choosing, closing in batches. */
export { sessionNodes, holdsSessions, isProxy } from './nodes';
export { scanNode, listAllClients, readSessions, MAX_PAGE_SIZE, DEFAULT_MAX_SESSIONS, type SessionReader, type Listing, type ListOptions, type ScanOptions, type ReadOptions } from './read';
export { compileSelection, chooseSessions, idlestFirst, candidate, seconds, type Candidate, type Choice, type Selection } from './choose';
export { killInBatches, DEFAULT_KILL_BATCH_SIZE, type KillReport, type KillOptions, type SessionKiller } from './kill';
export { parseNetwork, contains, ipBytes, type Network } from './cidr';
