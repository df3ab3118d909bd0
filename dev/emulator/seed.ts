/**
 * The emulator's seed: projects with their credentials, instances, nodes and each node's
 * client sessions, as one JSON document. Validated with zod; a bad seed is one SeedError
 * that lists every problem with its JSON path.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { supportsSessionManagement } from './state';

const HEX32 = /^[0-9a-f]{32}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const INSTANCE_STATUSES = ['CREATING', 'CREATEFAILED', 'RUNNING', 'ERROR', 'RESTARTING', 'FROZEN', 'EXTENDING', 'RESTORING', 'FLUSHING'] as const;
export const CACHE_MODES = ['single', 'ha', 'ha_rw_split', 'proxy', 'cluster'] as const;
export const NODE_STATUSES = ['Creating', 'Active', 'Inactive', 'Deleting', 'AddSharding'] as const;

/** One client session as CLIENT LIST shows it (the fields the DCS session list returns). */
const SessionSchema = z.strictObject({
  id: z.string().min(1),
  addr: z.string().min(1),
  name: z.string().default(''),
  age: z.number().int().nonnegative().default(0),
  idle: z.number().int().nonnegative().default(0),
  db: z.number().int().nonnegative().default(0),
  /** N normal, S replica, M master, P pub/sub: only N sessions are killed by kill-all. */
  flags: z.string().default('N'),
  cmd: z.string().default('NULL'),
});

const DimensionSchema = z.strictObject({ name: z.string().min(1), value: z.string().min(1) });

const NodeSchema = z.strictObject({
  node_id: z.string().regex(HEX32, 'node_id must be 32 lower-case hex digits'),
  logical_node_id: z.string().min(1),
  name: z.string().min(1),
  status: z.enum(NODE_STATUSES).default('Active'),
  node_role: z.enum(['redis-server', 'redis-proxy']),
  node_type: z.enum(['master', 'slave', 'proxy']),
  node_ip: z.string().min(1),
  node_port: z.string().regex(/^\d{1,5}$/),
  group_id: z.string().default(''),
  group_name: z.string().default(''),
  dimensions: z.array(DimensionSchema).min(1),
  sessions: z.array(SessionSchema).default([]),
  /**
   * Back this node with a real redis-server: "spawn" (the emulator starts one on a free
   * loopback port) or "host:port" of a server someone else runs. Its sessions are then real.
   */
  redis: z
    .string()
    .refine((v) => v === 'spawn' || parseHostPort(v) !== null, 'redis must be "spawn" or "host:port" (port 1-65535)')
    .optional(),
});

const InstanceSchema = z.strictObject({
  instance_id: z.string().regex(UUID, 'instance_id must be a lower-case UUID'),
  name: z.string().min(1),
  engine: z.enum(['Redis', 'Memcached']),
  engine_version: z.string().regex(/^\d+(\.\d+)*$/),
  status: z.enum(INSTANCE_STATUSES),
  cache_mode: z.enum(CACHE_MODES),
  nodes: z.array(NodeSchema),
});

const CredentialSchema = z.strictObject({
  ak: z.string().min(1),
  sk: z.string().min(1),
  /** Present for temporary credentials: requests must then carry and sign X-Security-Token. */
  security_token: z.string().min(1).optional(),
});

const ProjectSchema = z.strictObject({
  project_id: z.string().regex(HEX32, 'project_id must be 32 lower-case hex digits'),
  credentials: z.array(CredentialSchema).min(1),
  instances: z.array(InstanceSchema),
});

export const SeedSchema = z
  .strictObject({ projects: z.array(ProjectSchema).min(1) })
  .superRefine((seed, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const seen = { project: new Set<string>(), ak: new Set<string>(), instance: new Set<string>(), node: new Set<string>() };
    seed.projects.forEach((p, pi) => {
      if (seen.project.has(p.project_id)) issue(['projects', pi, 'project_id'], 'duplicate project_id');
      seen.project.add(p.project_id);
      p.credentials.forEach((c, ci) => {
        if (seen.ak.has(c.ak)) issue(['projects', pi, 'credentials', ci, 'ak'], 'duplicate ak');
        seen.ak.add(c.ak);
      });
      p.instances.forEach((inst, ii) => {
        if (seen.instance.has(inst.instance_id)) issue(['projects', pi, 'instances', ii, 'instance_id'], 'duplicate instance_id');
        seen.instance.add(inst.instance_id);
        inst.nodes.forEach((n, ni) => {
          const at = ['projects', pi, 'instances', ii, 'nodes', ni];
          if (seen.node.has(n.node_id)) issue([...at, 'node_id'], 'duplicate node_id');
          seen.node.add(n.node_id);
          // Cloud Eye node dimensions are children of dcs_instance_id: every node carries it.
          if (!n.dimensions.some((d) => d.name === 'dcs_instance_id' && d.value === inst.instance_id)) {
            issue([...at, 'dimensions'], `missing dimension {name: "dcs_instance_id", value: "${inst.instance_id}"}`);
          }
          if (n.redis !== undefined) checkRedisBacking(inst, n, (message) => issue([...at, 'redis'], message));
        });
      });
    });
  });

type SeedInstanceInput = Parameters<typeof supportsSessionManagement>[0];

/** A real redis-server only makes sense where DCS manages sessions, and replaces the simulated ones. */
function checkRedisBacking(
  instance: SeedInstanceInput,
  node: { sessions: unknown[] },
  issue: (message: string) => void,
): void {
  if (!supportsSessionManagement(instance)) issue('a real redis-server backs nodes of Redis 4.0+ instances only (session management)');
  if (node.sessions.length > 0) issue('a node backed by a real redis-server has real sessions: remove its seeded "sessions"');
}

/** "host:port" (host a name, IPv4, or [IPv6]) -> parts; null when malformed. */
export function parseHostPort(text: string): { host: string; port: number } | null {
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(text);
  if (!match) return null;
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return null;
  return { host: (match[1] ?? '').replace(/^\[|\]$/g, ''), port };
}

export type Seed = z.input<typeof SeedSchema>;
export type ValidSeed = z.output<typeof SeedSchema>;
export type SeedProject = ValidSeed['projects'][number];
export type SeedInstance = SeedProject['instances'][number];
export type SeedNode = SeedInstance['nodes'][number];
export type SeedSession = SeedNode['sessions'][number];

export class SeedError extends Error {
  override readonly name = 'SeedError';
  constructor(
    readonly code: 'SEED_UNREADABLE' | 'SEED_NOT_JSON' | 'SEED_INVALID',
    message: string,
  ) {
    super(message);
  }
}

/** Validates a seed object; `source` names it in the error (a file path, or "seed object"). */
export function parseSeed(input: unknown, source = 'seed object'): ValidSeed {
  const parsed = SeedSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new SeedError('SEED_INVALID', `Invalid emulator seed (${source}):\n${problems.join('\n')}`);
}

/** Reads and validates a seed file. */
export function loadSeedFile(path: string): ValidSeed {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SeedError('SEED_UNREADABLE', `Cannot read emulator seed ${path}: ${(e as NodeJS.ErrnoException).code ?? 'read error'}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SeedError('SEED_NOT_JSON', `Emulator seed ${path} is not valid JSON: ${(e as Error).message}`);
  }
  return parseSeed(json, path);
}
