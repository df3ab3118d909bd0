/**
 * What the emulated DCS knows: projects and their credentials, instances, nodes, jobs, and the
 * last session scan of each node. Sessions themselves live behind a SessionBackend.
 *
 * Jobs run on the injected clock: INIT for the first quarter of their duration, RUNNING until
 * the end, then SUCCESS or FAIL. Their effects (killing sessions, taking a scan snapshot) are
 * applied by settle(), which the server awaits before answering any request, so a job never
 * reads SUCCESS before its effect happened. With `settleOnTime` (the real clock), a timer also
 * settles each job at its end time, so a kill drops real connections even if nobody polls.
 */
import { randomBytes } from 'node:crypto';
import type { JobFault } from './faults';
import type { Credential } from './signature';
import type { SeedInstance, SeedNode, ValidSeed } from './seed';
import {
  RoutedSessionBackend,
  SimulatedSessionBackend,
  type ClientSession,
  type NodeAddress,
  type PartialSessionBackend,
  type SessionBackend,
} from './sessions';

export type JobType = 'killAllClients' | 'scanClients';
export type JobStatus = 'INIT' | 'RUNNING' | 'SUCCESS' | 'FAIL';
export type Instance = Omit<SeedInstance, 'nodes'>;
/** A node as the API shows it: the seed's simulated sessions and redis backing setting left out. */
export type Node = Omit<SeedNode, 'sessions' | 'redis'>;

export interface Job {
  jobId: string;
  jobType: JobType;
  projectId: string;
  instanceId: string;
  nodeIds: string[];
  createdAt: number;
  durationMs: number;
  /** Set by a jobFail / jobHang fault: the job ends FAIL with a reason and no effect, or never ends. */
  plannedFault: JobFault | null;
  outcome: { status: 'SUCCESS' | 'FAIL'; failReason: string | null; endTime: number } | null;
}

/** The wire shape of GET /v2/{project_id}/jobs/{job_id}. */
export interface JobView {
  job_id: string;
  job_type: JobType;
  status: JobStatus;
  begin_time: string;
  end_time: string;
  fail_reason: string | null;
}

export interface ScanSnapshot {
  scannedAt: number;
  sessions: ClientSession[];
}

export interface StateOptions {
  now: () => number;
  jobDurationMs: number;
  /** Default: simulated sessions taken from the seed. */
  sessionBackend?: SessionBackend;
  /** Nodes whose sessions are real (redis-server); the other nodes keep simulated sessions. */
  realSessions?: PartialSessionBackend;
  /** Settle each job by a timer at its end time (only meaningful with the real clock). */
  settleOnTime?: boolean;
  /** listClients answers at most this many sessions per page, whatever limit asks (default 1000, DCS's maximum). */
  listPageSize?: number;
}

interface ProjectRecord {
  projectId: string;
  instances: Map<string, { instance: Instance; nodes: Node[] }>;
}

export class EmulatorState {
  private projects = new Map<string, ProjectRecord>();
  private credentials = new Map<string, Credential>();
  private jobs = new Map<string, Job>();
  private scans = new Map<string, ScanSnapshot>();
  private backend!: SessionBackend;
  /** Serialises settle() so a job's effect is applied once even under concurrent requests. */
  private settling: Promise<void> = Promise.resolve();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly seed: ValidSeed,
    private readonly options: StateOptions,
  ) {
    this.load();
  }

  get now(): () => number {
    return this.options.now;
  }

  get sessions(): SessionBackend {
    return this.backend;
  }

  get listPageSize(): number {
    return this.options.listPageSize ?? 1000;
  }

  /** Back to the seed: jobs and scans forgotten, simulated sessions restored. */
  reset(): void {
    this.load();
  }

  credential(ak: string): Credential | undefined {
    return this.credentials.get(ak);
  }

  /** Every known credential (the CLI prints the demo ones for people to export). */
  allCredentials(): Credential[] {
    return [...this.credentials.values()].map((c) => ({ ...c }));
  }

  instance(projectId: string, instanceId: string): Instance | undefined {
    return this.projects.get(projectId)?.instances.get(instanceId)?.instance;
  }

  /** The live node records: a test may change one (e.g. `status = 'Inactive'`) until reset(). */
  nodes(projectId: string, instanceId: string): Node[] {
    return this.projects.get(projectId)?.instances.get(instanceId)?.nodes ?? [];
  }

  node(projectId: string, instanceId: string, nodeId: string): Node | undefined {
    return this.nodes(projectId, instanceId).find((n) => n.node_id === nodeId);
  }

  /** Changes an instance's status (tests: an instance that restarts between two calls). */
  setInstanceStatus(instanceId: string, status: Instance['status']): boolean {
    for (const p of this.projects.values()) {
      const entry = p.instances.get(instanceId);
      if (entry) {
        entry.instance.status = status;
        return true;
      }
    }
    return false;
  }

  createJob(spec: { jobType: JobType; projectId: string; instanceId: string; nodeIds: string[]; plannedFault: JobFault | null }): Job {
    const job: Job = {
      ...spec,
      jobId: randomBytes(16).toString('hex'),
      createdAt: this.options.now(),
      durationMs: this.options.jobDurationMs,
      outcome: null,
    };
    this.jobs.set(job.jobId, job);
    if (this.options.settleOnTime) this.settleWhenDue(job);
    return job;
  }

  /** Stops the end-of-job timers (the server calls it on close). */
  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  job(projectId: string, jobId: string): Job | undefined {
    const job = this.jobs.get(jobId);
    return job && job.projectId === projectId ? job : undefined;
  }

  allJobs(): Job[] {
    return [...this.jobs.values()];
  }

  jobView(job: Job): JobView {
    return {
      job_id: job.jobId,
      job_type: job.jobType,
      status: this.jobStatus(job),
      begin_time: String(job.createdAt),
      end_time: job.outcome ? String(job.outcome.endTime) : '',
      fail_reason: job.outcome?.failReason ?? null,
    };
  }

  scan(nodeId: string): ScanSnapshot | undefined {
    return this.scans.get(nodeId);
  }

  /** Finishes every job whose time is up, applying its effect. */
  settle(): Promise<void> {
    this.settling = this.settling.then(() => this.settleDueJobs());
    return this.settling;
  }

  address(instanceId: string, node: Node): NodeAddress {
    return { instanceId, nodeId: node.node_id, nodeIp: node.node_ip, nodePort: node.node_port };
  }

  /** Everything, for the control API (SKs and tokens left out). */
  async snapshot(): Promise<unknown> {
    await this.settle();
    const projects = [];
    for (const p of this.projects.values()) {
      const instances = [];
      for (const { instance, nodes } of p.instances.values()) {
        const withSessions = [];
        for (const n of nodes) withSessions.push({ ...n, sessions: await this.backend.listSessions(this.address(instance.instance_id, n)) });
        instances.push({ ...instance, nodes: withSessions });
      }
      const aks = [...this.credentials.values()].filter((c) => c.projectId === p.projectId).map((c) => c.ak);
      projects.push({ project_id: p.projectId, access_keys: aks, instances });
    }
    return { projects, jobs: this.allJobs().map((j) => ({ ...this.jobView(j), instance_id: j.instanceId, node_ids: j.nodeIds })) };
  }

  /** Settles at the job's end time; re-arms if the timer fired a little early by the clock. */
  private settleWhenDue(job: Job): void {
    const wait = Math.max(0, job.createdAt + job.durationMs - this.options.now()) + 1;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.settle()
        .catch(() => undefined) // the next request's settle() will report it
        .then(() => {
          const early = this.options.now() < job.createdAt + job.durationMs;
          if (!job.outcome && early && this.jobs.get(job.jobId) === job) this.settleWhenDue(job);
        });
    }, wait);
    timer.unref();
    this.timers.add(timer);
  }

  private jobStatus(job: Job): JobStatus {
    if (job.outcome) return job.outcome.status;
    return this.options.now() < job.createdAt + job.durationMs / 4 ? 'INIT' : 'RUNNING';
  }

  private async settleDueJobs(): Promise<void> {
    const now = this.options.now();
    for (const job of this.jobs.values()) {
      if (job.outcome || now < job.createdAt + job.durationMs || job.plannedFault?.kind === 'hang') continue;
      const failReason = await this.runJob(job);
      job.outcome = { status: failReason === null ? 'SUCCESS' : 'FAIL', failReason, endTime: job.createdAt + job.durationMs };
    }
  }

  /** Applies a due job's effect; resolves to a fail reason, or null on success. */
  private async runJob(job: Job): Promise<string | null> {
    if (job.plannedFault?.kind === 'fail') return job.plannedFault.reason;
    const nodes = job.nodeIds.map((id) => this.node(job.projectId, job.instanceId, id)).filter((n): n is Node => n !== undefined);
    const inactive = nodes.find((n) => n.status !== 'Active');
    if (inactive) return `node ${inactive.name} is ${inactive.status}`;
    try {
      for (const node of nodes) {
        const address = this.address(job.instanceId, node);
        if (job.jobType === 'killAllClients') await this.backend.killNormalSessions(address);
        else this.scans.set(node.node_id, { scannedAt: job.createdAt + job.durationMs, sessions: await this.backend.listSessions(address) });
      }
      return null;
    } catch (e) {
      return `session backend error: ${(e as Error).message}`;
    }
  }

  private load(): void {
    this.projects = new Map();
    this.credentials = new Map();
    this.jobs = new Map();
    this.scans = new Map();
    this.close();
    const seededSessions = new Map<string, ClientSession[]>();
    for (const p of this.seed.projects) {
      const instances = new Map<string, { instance: Instance; nodes: Node[] }>();
      for (const { nodes, ...instance } of p.instances) {
        instances.set(instance.instance_id, {
          instance: { ...instance },
          nodes: nodes.map(({ sessions, redis: _backing, ...node }) => {
            seededSessions.set(node.node_id, sessions);
            return { ...node, dimensions: node.dimensions.map((d) => ({ ...d })) };
          }),
        });
      }
      this.projects.set(p.project_id, { projectId: p.project_id, instances });
      for (const c of p.credentials) {
        const credential: Credential = { ak: c.ak, sk: c.sk, projectId: p.project_id };
        if (c.security_token !== undefined) credential.securityToken = c.security_token;
        this.credentials.set(c.ak, credential);
      }
    }
    const simulated = new SimulatedSessionBackend(seededSessions);
    const real = this.options.realSessions;
    this.backend = this.options.sessionBackend ?? (real ? new RoutedSessionBackend(real, simulated) : simulated);
  }
}

/** Session management (list, scan, kill) exists on Redis 4.0 and later only. */
export function supportsSessionManagement(instance: Pick<Instance, 'engine' | 'engine_version'>): boolean {
  const major = Number(instance.engine_version.split('.')[0]);
  return instance.engine === 'Redis' && major >= 4;
}
