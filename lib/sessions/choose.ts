/**
 * Choosing the sessions a precision action closes on one node: pure, no I/O.
 *
 *   listed sessions ──select──► matched ──minus protect──► selected ──idlest first, capped──► chosen
 *
 * - select: every criterion given must hold (idle, age, client IP in a network, name glob,
 *   last command). A session missing a field a criterion needs does not match: unknown never
 *   means "kill".
 * - protect: never chosen, whatever select says. Replication links (flags S or M) and
 *   sessions without an "ip:port" address (nothing hangUpClients could name) are always
 *   protected.
 * - the cap: the idlest first (then the oldest, then by address, so the choice is the same
 *   on every run), at most maxSessionsPerNode; the rest stay.
 */
import { parseClientAddr } from '../dcs/client-addr';
import type { ClientInfo } from '../dcs/models';
import { compileGlob } from '../policy/glob';
import type { KillMatchingSpec, SessionProtect, SessionSelect } from '../policy/schema';
import { contains, ipBytes, parseNetwork, type Network } from './cidr';

/** A listed session with the fields choosing reads, normalized once. */
export interface Candidate {
  client: ClientInfo;
  addr: string;
  name: string;
  /** Seconds; null when DCS did not say. */
  idle: number | null;
  age: number | null;
}

/** A candidate as the criteria see it: the client IP is parsed on first need only (the costliest step). */
interface Probe extends Candidate {
  ip: Uint8Array | null | undefined;
}

export interface Choice {
  /** Sessions listed. */
  scanned: number;
  /** Matched select and not protected (before the cap). */
  selected: number;
  /** Matched select but kept by protect (or by the built-in protection). */
  protected: number;
  /** To close: the idlest `selected`, at most maxSessionsPerNode. */
  chosen: Candidate[];
  /** More sessions were selected than the cap let through. */
  capped: boolean;
}

/** A compiled select/protect pair: built once per action, applied to every session. */
export interface Selection {
  matches(c: Probe): boolean;
  protects(c: Probe): boolean;
  max: number;
}

export function compileSelection(spec: Pick<KillMatchingSpec, 'select' | 'protect' | 'maxSessionsPerNode'>): Selection {
  const select = compileCriteria(spec.select);
  const protect = spec.protect ? compileCriteria(spec.protect) : null;
  return {
    matches: select.all,
    protects: (c) => protect !== null && protect.any(c),
    max: spec.maxSessionsPerNode,
  };
}

/** Chooses among one node's listed sessions. */
export function chooseSessions(clients: readonly ClientInfo[], selection: Selection): Choice {
  let protectedCount = 0;
  const selected: Candidate[] = [];
  for (const client of clients) {
    const c = probe(client);
    if (!selection.matches(c)) continue;
    if (isReplicationLink(client) || clientIp(c) === null || selection.protects(c)) protectedCount++;
    else selected.push(c);
  }
  selected.sort(idlestFirst);
  const capped = selected.length > selection.max;
  return { scanned: clients.length, selected: selected.length, protected: protectedCount, chosen: capped ? selected.slice(0, selection.max) : selected, capped };
}

export function candidate(client: ClientInfo): Candidate {
  return probe(client);
}

/** One object literal of one shape per session: the hot loop stays monomorphic. */
function probe(client: ClientInfo): Probe {
  return {
    client,
    addr: typeof client.addr === 'string' ? client.addr : '',
    name: typeof client.name === 'string' ? client.name : '',
    idle: seconds(client.idle),
    age: seconds(client.age),
    ip: undefined,
  };
}

/** Idle descending, then age descending, then address: the same order on every run. */
export function idlestFirst(a: Candidate, b: Candidate): number {
  return (b.idle ?? -1) - (a.idle ?? -1) || (b.age ?? -1) - (a.age ?? -1) || (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0);
}

/** A replica's or master's link (CLIENT LIST flags S / M): cutting it breaks replication, never a client leak. */
function isReplicationLink(client: ClientInfo): boolean {
  return typeof client.flags === 'string' && /[SM]/.test(client.flags);
}

/** Seconds as DCS sends them (number or numeric string); null when absent or not a count. */
export function seconds(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null;
  if (typeof value !== 'string' || value.trim() === '') return null;
  return seconds(Number(value));
}

/** The client IP as bytes, parsed once per session; null when the addr is not an "ip:port". */
function clientIp(c: Probe): Uint8Array | null {
  if (c.ip === undefined) {
    const parsed = parseClientAddr(c.addr);
    c.ip = parsed === null ? null : ipBytes(parsed.ip);
  }
  return c.ip;
}

// --- Criteria ---

type Test = (c: Probe) => boolean;

interface Criteria {
  /** Every test holds (select). */
  all: Test;
  /** Any test holds (protect). */
  any: Test;
}

/** Tests in order of cost (numbers, then strings, then the IP), so a session fails on the cheapest one. */
function compileCriteria(spec: Partial<SessionSelect> & Partial<SessionProtect>): Criteria {
  const tests: Test[] = [];
  const { idleSecondsAtLeast: idle, ageSecondsAtLeast: age, addresses, names, commands } = spec;
  if (idle !== undefined) tests.push((c) => c.idle !== null && c.idle >= idle);
  if (age !== undefined) tests.push((c) => c.age !== null && c.age >= age);
  if (commands !== undefined) {
    const wanted = new Set(commands.map((cmd) => cmd.toLowerCase()));
    tests.push((c) => typeof c.client.cmd === 'string' && wanted.has(c.client.cmd.toLowerCase()));
  }
  if (names !== undefined) {
    const globs = names.map(compileGlob);
    tests.push((c) => globs.some((g) => g.test(c.name)));
  }
  if (addresses !== undefined) {
    const networks = addresses.map(networkOf);
    tests.push((c) => {
      const ip = clientIp(c);
      return ip !== null && networks.some((n) => contains(n, ip));
    });
  }
  return {
    all: (c) => {
      for (const t of tests) if (!t(c)) return false;
      return true;
    },
    any: (c) => {
      for (const t of tests) if (t(c)) return true;
      return false;
    },
  };
}

/** The policy loader has checked every entry; a bad one here is a bug, not a policy error. */
function networkOf(text: string): Network {
  const parsed = parseNetwork(text);
  if (!parsed.ok) throw new Error(`invalid network in a validated policy: ${parsed.message}`);
  return parsed.network;
}
