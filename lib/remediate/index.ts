export { killSessions, killRequest, type KillOutcome, type KillRequest } from './kill';
