/**
 * Where a node's client sessions live. The emulator's state talks to this seam only, so a
 * backend that drives real redis-server processes can replace the simulated one.
 */

/** One client session, shaped like a DCS session-list entry (CLIENT LIST fields). */
export interface ClientSession {
  id: string;
  addr: string;
  name: string;
  age: number;
  idle: number;
  db: number;
  /** N normal, S replica, M master, P pub/sub. */
  flags: string;
  cmd: string;
}

/** Which node is meant: enough for a real backend to find its server. */
export interface NodeAddress {
  instanceId: string;
  nodeId: string;
  nodeIp: string;
  nodePort: string;
}

export interface SessionBackend {
  listSessions(node: NodeAddress): Promise<ClientSession[]>;
  /** Kills the node's normal sessions (CLIENT KILL TYPE normal); resolves to how many. */
  killNormalSessions(node: NodeAddress): Promise<number>;
  /** Kills the sessions with these addresses (CLIENT KILL ADDR each); gone ones are skipped. Resolves to how many were killed. */
  killSessionsByAddr(node: NodeAddress, addrs: readonly string[]): Promise<number>;
}

/** Sessions kept in memory, seeded per node. */
export class SimulatedSessionBackend implements SessionBackend {
  private readonly byNode = new Map<string, ClientSession[]>();

  constructor(initial: ReadonlyMap<string, readonly ClientSession[]> = new Map()) {
    for (const [nodeId, sessions] of initial) this.byNode.set(nodeId, sessions.map((s) => ({ ...s })));
  }

  async listSessions(node: NodeAddress): Promise<ClientSession[]> {
    return (this.byNode.get(node.nodeId) ?? []).map((s) => ({ ...s }));
  }

  async killNormalSessions(node: NodeAddress): Promise<number> {
    const sessions = this.byNode.get(node.nodeId) ?? [];
    const survivors = sessions.filter((s) => !isNormal(s));
    this.byNode.set(node.nodeId, survivors);
    return sessions.length - survivors.length;
  }

  async killSessionsByAddr(node: NodeAddress, addrs: readonly string[]): Promise<number> {
    const sessions = this.byNode.get(node.nodeId) ?? [];
    const doomed = new Set(addrs);
    const survivors = sessions.filter((s) => !doomed.has(s.addr));
    this.byNode.set(node.nodeId, survivors);
    return sessions.length - survivors.length;
  }

  /** For tests and the control API: new clients connect to a node. */
  addSessions(nodeId: string, sessions: readonly ClientSession[]): void {
    this.byNode.set(nodeId, [...(this.byNode.get(nodeId) ?? []), ...sessions.map((s) => ({ ...s }))]);
  }
}

/** A normal client: not a replication link, not a pub/sub subscriber. */
function isNormal(session: ClientSession): boolean {
  return !/[SMP]/.test(session.flags);
}

/** A backend that holds the sessions of some nodes only (e.g. the ones backed by real redis-servers). */
export interface PartialSessionBackend extends SessionBackend {
  owns(nodeId: string): boolean;
}

/** The owned nodes' sessions from `owner`, every other node's from `rest`. */
export class RoutedSessionBackend implements SessionBackend {
  constructor(
    private readonly owner: PartialSessionBackend,
    private readonly rest: SessionBackend,
  ) {}

  listSessions(node: NodeAddress): Promise<ClientSession[]> {
    return this.pick(node).listSessions(node);
  }

  killNormalSessions(node: NodeAddress): Promise<number> {
    return this.pick(node).killNormalSessions(node);
  }

  killSessionsByAddr(node: NodeAddress, addrs: readonly string[]): Promise<number> {
    return this.pick(node).killSessionsByAddr(node, addrs);
  }

  private pick(node: NodeAddress): SessionBackend {
    return this.owner.owns(node.nodeId) ? this.owner : this.rest;
  }
}
