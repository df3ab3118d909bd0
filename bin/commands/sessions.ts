/**
 * `sessions <instance> [--node ID] [--idle SECONDS] [--json]`: who is connected, the idlest
 * first — a `top` for DCS clients, through the same client the functions use (the emulator or
 * the real API, whichever DCS_ENDPOINT / DCS_REGION point at). Read-only: scan and list.
 */
import { createDcsClient, resolveDcsConfig, isDcsError, type DcsClient } from '../../lib/dcs';
import { candidate, idlestFirst, readSessions, sessionNodes, type Candidate } from '../../lib/sessions';
import { parseCommandArgs, stringValue, UsageError } from '../cli/args';
import type { Command } from '../cli/command';
import { EXIT, EXIT_CODES_HELP, type Io } from '../cli/io';

const USAGE = `Usage: dcs-session-guard sessions <instance> [--node ID] [--idle SECONDS] [--json]

Lists the client sessions of an instance, the idlest first: every node that holds sessions
(the proxies of a Proxy Cluster or read/write-splitting instance, else every Redis node),
or the one --node. Each node is scanned (scanClients) and every page read (listClients);
nothing is killed. Credentials and endpoint come from the environment, as for the
functions: HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, HUAWEICLOUD_SDK_PROJECT_ID and
DCS_ENDPOINT (e.g. the emulator) or DCS_REGION. IAM: dcs:clients:list, dcs:job:get.

Options:
  --node ID        only this node (a node_id of the logical-nodes listing)
  --idle SECONDS   only sessions idle for at least this long
  --json           print {instanceId, nodes: [{nodeId, count, complete, sessions}]} as JSON
  -h, --help

${EXIT_CODES_HELP}
  (sessions: 1 when a node could not be read)`;

/** Long enough for a scan job on a busy node; the whole command stops at this deadline. */
const DEADLINE_MS = 60_000;
const SCAN_POLL_MS = 200;

interface NodeSessions {
  nodeId: string;
  /** Sessions in the scan, as DCS counted them; null when the node could not be read. */
  count: number | null;
  complete: boolean;
  sessions: Candidate[];
  error: string | null;
}

export const sessionsCommand: Command = {
  name: 'sessions',
  summary: 'list an instance’s client sessions, the idlest first (scan + list, read-only)',
  usage: USAGE,
  async run(argv, io) {
    const args = parseCommandArgs(argv, { node: { type: 'string' }, idle: { type: 'string' }, json: { type: 'boolean' } }, { max: 1 });
    if (args.values.help) {
      io.out(USAGE);
      return EXIT.OK;
    }
    const instanceId = args.positionals[0];
    if (instanceId === undefined) throw new UsageError('name the instance: sessions <instance-id>');
    const minIdle = idleValue(args.values.idle);
    const config = resolveDcsConfig(io.env);
    if (!config.ok) {
      io.err(`dcs-session-guard sessions: ${config.error.message}`);
      return EXIT.CANNOT_RUN;
    }
    const dcs = createDcsClient(config.value);
    const deadline = Date.now() + DEADLINE_MS;
    try {
      const node = stringValue(args.values.node);
      const nodeIds = node !== undefined ? [node] : await nodesWithSessions(dcs, instanceId, deadline);
      const nodes: NodeSessions[] = [];
      for (const nodeId of nodeIds) nodes.push(await readNode(dcs, instanceId, nodeId, deadline, minIdle));
      if (args.values.json === true) io.out(JSON.stringify({ instanceId, nodes: nodes.map(jsonView) }, null, 2));
      else printTable(io, instanceId, nodes, minIdle);
      return nodes.some((n) => n.error !== null) ? EXIT.DECISION_FAILED : EXIT.OK;
    } catch (e) {
      if (!isDcsError(e)) throw e;
      io.err(`dcs-session-guard sessions: ${e.message}`);
      return e.kind === 'invalid_request' ? EXIT.USAGE : EXIT.DECISION_FAILED;
    }
  },
};

function idleValue(text: string | boolean | undefined): number {
  if (text === undefined) return 0;
  if (typeof text !== 'string' || !/^\d{1,9}$/.test(text)) throw new UsageError(`--idle needs a number of seconds, got "${String(text)}"`);
  return Number(text);
}

async function nodesWithSessions(dcs: DcsClient, instanceId: string, deadline: number): Promise<string[]> {
  const listing = await dcs.showNodesInformation({ instanceId }, { deadlineEpochMs: deadline });
  return sessionNodes(listing.nodes).map((n) => n.node_id);
}

async function readNode(dcs: DcsClient, instanceId: string, nodeId: string, deadline: number, minIdle: number): Promise<NodeSessions> {
  try {
    const listing = await readSessions(dcs, instanceId, nodeId, { deadline, pollMs: SCAN_POLL_MS });
    const sessions = listing.clients.map(candidate).filter((c) => (c.idle ?? -1) >= minIdle).sort(idlestFirst);
    return { nodeId, count: listing.count, complete: listing.complete, sessions, error: null };
  } catch (e) {
    if (!isDcsError(e) || e.kind === 'invalid_request') throw e;
    return { nodeId, count: null, complete: false, sessions: [], error: e.message };
  }
}

function jsonView(n: NodeSessions) {
  return {
    nodeId: n.nodeId,
    count: n.count,
    complete: n.complete,
    ...(n.error !== null ? { error: n.error } : {}),
    sessions: n.sessions.map((c) => ({ addr: c.addr, name: c.name, idle: c.idle, age: c.age, db: c.client.db ?? null, cmd: c.client.cmd ?? null })),
  };
}

/** Names and commands come from clients: printed without control characters (no terminal escapes). */
const printable = (value: unknown): string => (typeof value === 'string' || typeof value === 'number' ? String(value).replace(/[^\x20-\x7e]/g, '?').slice(0, 64) : '-');

function printTable(io: Io, instanceId: string, nodes: readonly NodeSessions[], minIdle: number): void {
  io.out(`instance ${instanceId}${minIdle > 0 ? `, sessions idle >= ${minIdle} s` : ''}`);
  for (const n of nodes) {
    if (n.error !== null) {
      io.out(`\nnode ${n.nodeId}: could not be read: ${n.error}`);
      continue;
    }
    io.out(`\nnode ${n.nodeId}: ${n.count} session${n.count === 1 ? '' : 's'}${n.complete ? '' : ' (listing incomplete)'}, ${n.sessions.length} shown`);
    if (n.sessions.length === 0) continue;
    const rows = n.sessions.map((c) => [c.addr, printable(c.name) || '-', printable(c.idle), printable(c.age), printable(c.client.db), printable(c.client.cmd)]);
    const header = ['ADDR', 'NAME', 'IDLE', 'AGE', 'DB', 'CMD'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    for (const row of [header, ...rows]) io.out(row.map((cell, i) => (i >= 2 && i <= 4 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd());
  }
}
