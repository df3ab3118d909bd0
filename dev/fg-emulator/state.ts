/**
 * What the FunctionGraph emulator keeps: functions (config, code hash and
 * size) and their triggers, per project. Pure state and the service's rules
 * about it (names unique, at most 400 functions, one timer of a name per
 * function, one trigger per SMN topic); HTTP is server.ts's job.
 */
import { createHash, randomUUID } from 'node:crypto';
import { MAX_FUNCTIONS, functionUrn, type TriggerStatus } from '../../lib/deploy/fg-rules';

export interface FunctionRecord {
  func_urn: string;
  func_name: string;
  package: string;
  project_id: string;
  runtime: string;
  timeout: number;
  handler: string;
  memory_size: number;
  code_type: string;
  code_filename?: string;
  code_size: number;
  /** SHA-512 of the code, hex (what ShowFunctionConfig answers as `digest`). */
  digest: string;
  user_data?: string;
  xrole?: string;
  app_xrole?: string;
  description?: string;
  func_vpc?: Record<string, unknown>;
  version: 'latest';
  last_modified: string;
}

export interface TriggerRecord {
  trigger_id: string;
  trigger_type_code: string;
  trigger_status: TriggerStatus;
  event_type_code: string;
  event_data: Record<string, unknown>;
  created_time: string;
  last_updated_time: string;
}

export type Conflict = { conflict: string };

const CONFIG_KEYS = ['runtime', 'timeout', 'handler', 'memory_size', 'user_data', 'xrole', 'app_xrole', 'description', 'func_vpc'] as const;

export class FgState {
  readonly #functions = new Map<string, FunctionRecord>();
  readonly #triggers = new Map<string, TriggerRecord[]>();

  constructor(
    private readonly region: string,
    private readonly now: () => number,
  ) {}

  #key(projectId: string, pkg: string, name: string): string {
    return `${projectId}/${pkg}/${name}`;
  }

  #stamp(): string {
    return new Date(this.now()).toISOString();
  }

  find(projectId: string, pkg: string, name: string): FunctionRecord | undefined {
    return this.#functions.get(this.#key(projectId, pkg, name));
  }

  list(projectId: string): FunctionRecord[] {
    return [...this.#functions.values()].filter((f) => f.project_id === projectId).sort((a, b) => a.func_name.localeCompare(b.func_name));
  }

  create(projectId: string, body: Record<string, unknown>, code: Buffer): FunctionRecord | Conflict {
    const name = body.func_name as string;
    const pkg = body.package as string;
    if (this.find(projectId, pkg, name)) return { conflict: `function ${name} already exists` };
    if (this.list(projectId).length >= MAX_FUNCTIONS) return { conflict: `at most ${MAX_FUNCTIONS} functions per account` };
    const record: FunctionRecord = {
      func_urn: functionUrn(this.region, projectId, pkg, name),
      func_name: name,
      package: pkg,
      project_id: projectId,
      code_type: body.code_type as string,
      ...(typeof body.code_filename === 'string' ? { code_filename: body.code_filename } : {}),
      code_size: code.length,
      digest: sha512(code),
      version: 'latest',
      last_modified: this.#stamp(),
      ...(pickConfig(body) as Pick<FunctionRecord, 'runtime' | 'timeout' | 'handler' | 'memory_size'>),
    };
    this.#functions.set(this.#key(projectId, pkg, name), record);
    this.#triggers.set(record.func_urn, []);
    return record;
  }

  updateCode(record: FunctionRecord, body: Record<string, unknown>, code: Buffer): FunctionRecord {
    record.code_type = body.code_type as string;
    if (typeof body.code_filename === 'string') record.code_filename = body.code_filename;
    record.code_size = code.length;
    record.digest = sha512(code);
    record.last_modified = this.#stamp();
    return record;
  }

  /** Replaces the configuration: a field left out of the body is cleared, as the service does. */
  updateConfig(record: FunctionRecord, body: Record<string, unknown>): FunctionRecord {
    for (const key of CONFIG_KEYS) delete (record as unknown as Record<string, unknown>)[key];
    Object.assign(record, pickConfig(body), { last_modified: this.#stamp() });
    return record;
  }

  delete(record: FunctionRecord): void {
    this.#functions.delete(this.#key(record.project_id, record.package, record.func_name));
    this.#triggers.delete(record.func_urn);
  }

  triggers(record: FunctionRecord): TriggerRecord[] {
    return this.#triggers.get(record.func_urn) ?? [];
  }

  addTrigger(record: FunctionRecord, type: string, status: TriggerStatus, eventType: string, eventData: Record<string, unknown>): TriggerRecord | Conflict {
    const existing = this.triggers(record);
    if (type === 'TIMER' && existing.some((t) => t.trigger_type_code === 'TIMER' && t.event_data.name === eventData.name)) {
      return { conflict: `a timer trigger named ${String(eventData.name)} already exists` };
    }
    if (type === 'SMN' && existing.some((t) => t.trigger_type_code === 'SMN' && t.event_data.topic_urn === eventData.topic_urn)) {
      return { conflict: 'a trigger on this topic already exists' };
    }
    const stamp = this.#stamp();
    const trigger: TriggerRecord = { trigger_id: randomUUID(), trigger_type_code: type, trigger_status: status, event_type_code: eventType, event_data: eventData, created_time: stamp, last_updated_time: stamp };
    this.#triggers.set(record.func_urn, [...existing, trigger]);
    return trigger;
  }

  deleteTrigger(record: FunctionRecord, type: string, id: string): boolean {
    const existing = this.triggers(record);
    const kept = existing.filter((t) => !(t.trigger_id === id && t.trigger_type_code === type));
    this.#triggers.set(record.func_urn, kept);
    return kept.length < existing.length;
  }

  reset(): void {
    this.#functions.clear();
    this.#triggers.clear();
  }

  /** Everything, for tests and the control API (no code, it is not kept). */
  snapshot(): { functions: Array<FunctionRecord & { triggers: TriggerRecord[] }> } {
    return { functions: [...this.#functions.values()].map((f) => ({ ...f, triggers: this.triggers(f) })) };
  }
}

function pickConfig(body: Record<string, unknown>): Partial<FunctionRecord> {
  const out: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) if (body[key] !== undefined) out[key] = body[key];
  return out as Partial<FunctionRecord>;
}

export const sha512 = (data: Buffer): string => createHash('sha512').update(data).digest('hex');
