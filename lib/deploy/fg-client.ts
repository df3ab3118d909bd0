/**
 * The FunctionGraph calls `deploy`, `undeploy` and `doctor` make, through the
 * official SDK (@huaweicloud/huaweicloud-sdk-functiongraph, official method
 * names) built by the same hardened sdk-core setup as the DCS client
 * (lib/sdk-core/hardened.ts: silenced logging, timeout, no redirects, one
 * endpoint, explicit project id, no disk write).
 *
 * CLI only: no function bundle imports this module (a test checks the bundles).
 * The SDK is required on first use, so commands that never call FunctionGraph
 * do not load it.
 *
 * Core does not encode path parameters: every URN and trigger id is checked
 * against its documented shape before it becomes part of a URL. Answers are
 * parsed into the few fields deploy reads; every failure is a DeployError.
 */
import { z } from 'zod';
import { validateEndpoint } from '../dcs/config';
import type { DcsCredentials } from '../dcs/credentials';
import { REGION } from '../domain/ids';
import { buildHardened, loadCore } from '../sdk-core/hardened';
import { configProblem, DeployError, fromSdkFailure } from './errors';
import { FUNCTION_URN, TRIGGER_ID, TRIGGER_TYPES, type TriggerStatus } from './fg-rules';

export const DEFAULT_FG_TIMEOUT_MS = 30_000;

export interface FgClientConfig {
  endpoint: string;
  projectId: string;
  credentials: DcsCredentials;
  timeoutMs: number;
}

/** https://functiongraph.<region>.myhuaweicloud.com, or FG_ENDPOINT (http on loopback only, for the emulator). */
export function fgEndpoint(region: string, override: string | undefined): string {
  if (override !== undefined && override.trim() !== '') {
    const checked = validateEndpoint(override.trim(), 'FG_ENDPOINT');
    if (!checked.ok) throw configProblem('configuration', checked.error);
    return checked.value;
  }
  if (!REGION.test(region)) throw configProblem('configuration', 'region is not a region name like cn-north-4');
  return `https://functiongraph.${region}.myhuaweicloud.com`;
}

const FunctionConfigSchema = z
  .object({
    func_urn: z.string().regex(FUNCTION_URN),
    func_name: z.string(),
    package: z.string().optional(),
    runtime: z.string().optional(),
    handler: z.string().optional(),
    memory_size: z.number().optional(),
    timeout: z.number().optional(),
    code_size: z.number().optional(),
    digest: z.string().optional(),
    user_data: z.string().optional(),
    xrole: z.string().optional(),
    app_xrole: z.string().optional(),
    description: z.string().optional(),
    func_vpc: z.object({ vpc_id: z.string().optional(), subnet_id: z.string().optional() }).loose().nullable().optional(),
  })
  .loose();
export type FunctionConfig = z.infer<typeof FunctionConfigSchema>;

const TriggerSchema = z
  .object({
    trigger_id: z.string().regex(TRIGGER_ID),
    trigger_type_code: z.string(),
    trigger_status: z.string().optional(),
    event_data: z.record(z.string(), z.unknown()).nullable().optional(),
  })
  .loose();
export type Trigger = z.infer<typeof TriggerSchema>;

const CodeUpdatedSchema = z.object({ digest: z.string().optional(), code_size: z.number().optional() }).loose();

/** The body fields deploy sends for a function's configuration (CreateFunction/UpdateFunctionConfig). */
export interface FunctionConfigBody {
  runtime: string;
  handler: string;
  memory_size: number;
  timeout: number;
  user_data: string;
  xrole?: string;
  app_xrole?: string;
  description: string;
  func_vpc?: { vpc_id: string; subnet_id: string };
}

export interface CodeBody {
  code_type: 'zip';
  code_filename: string;
  func_code: { file: string };
}

export interface TriggerBody {
  trigger_type_code: (typeof TRIGGER_TYPES)[number];
  trigger_status: TriggerStatus;
  event_type_code: string;
  event_data: Record<string, unknown>;
}

interface SdkClient {
  [method: string]: (request: Record<string, unknown>) => Promise<unknown>;
}

export class FunctionGraphApi {
  readonly #config: FgClientConfig;
  #client: SdkClient | null = null;

  constructor(config: FgClientConfig) {
    this.#config = config;
  }

  get projectId(): string {
    return this.#config.projectId;
  }

  /** The function's configuration, or null when it does not exist (404 / FSS.1051). */
  async showFunctionConfig(urn: string): Promise<FunctionConfig | null> {
    try {
      return parse('showFunctionConfig', FunctionConfigSchema, await this.#call('showFunctionConfig', { function_urn: checkUrn(urn) }));
    } catch (error) {
      if (error instanceof DeployError && (error.httpStatus === 404 || error.code === 'FSS.1051')) return null;
      throw error;
    }
  }

  async createFunction(body: FunctionConfigBody & CodeBody & { func_name: string; package: string }): Promise<FunctionConfig> {
    return parse('createFunction', FunctionConfigSchema, await this.#call('createFunction', { body }));
  }

  async updateFunctionCode(urn: string, body: CodeBody): Promise<{ digest?: string | undefined }> {
    return parse('updateFunctionCode', CodeUpdatedSchema, await this.#call('updateFunctionCode', { function_urn: checkUrn(urn), body }));
  }

  async updateFunctionConfig(urn: string, body: FunctionConfigBody): Promise<FunctionConfig> {
    return parse('updateFunctionConfig', FunctionConfigSchema, await this.#call('updateFunctionConfig', { function_urn: checkUrn(urn), body }));
  }

  async deleteFunction(urn: string): Promise<void> {
    await this.#call('deleteFunction', { function_urn: checkUrn(urn) });
  }

  async listFunctionTriggers(urn: string): Promise<Trigger[]> {
    return parse('listFunctionTriggers', z.array(TriggerSchema), await this.#call('listFunctionTriggers', { function_urn: checkUrn(urn) }));
  }

  async createFunctionTrigger(urn: string, body: TriggerBody): Promise<Trigger> {
    return parse('createFunctionTrigger', TriggerSchema, await this.#call('createFunctionTrigger', { function_urn: checkUrn(urn), body }));
  }

  async deleteFunctionTrigger(urn: string, type: string, triggerId: string): Promise<void> {
    if (!(TRIGGER_TYPES as readonly string[]).includes(type)) throw configProblem('deleteFunctionTrigger', `unknown trigger type ${JSON.stringify(type)}`);
    if (!TRIGGER_ID.test(triggerId)) throw configProblem('deleteFunctionTrigger', 'malformed trigger id');
    await this.#call('deleteFunctionTrigger', { function_urn: checkUrn(urn), trigger_type_code: type, trigger_id: triggerId });
  }

  async #call(operation: string, request: Record<string, unknown>): Promise<unknown> {
    try {
      return await this.#sdk()[operation]!(request);
    } catch (error) {
      throw fromSdkFailure(error, operation, this.#config.credentials.secretValues());
    }
  }

  #sdk(): SdkClient {
    if (this.#client) return this.#client;
    loadCore(); // silences core before the service SDK loads it
    const { FunctionGraphClient } = require('@huaweicloud/huaweicloud-sdk-functiongraph/v2/FunctionGraphClient') as typeof import('@huaweicloud/huaweicloud-sdk-functiongraph/v2/FunctionGraphClient');
    const { endpoint, projectId, credentials, timeoutMs } = this.#config;
    const built = buildHardened(FunctionGraphClient.newBuilder(), { endpoint, projectId, credentials, timeoutMs, userAgent: 'dcs-session-guard-deploy' });
    this.#client = built as unknown as SdkClient;
    return this.#client;
  }

  toJSON(): Record<string, string> {
    return { endpoint: this.#config.endpoint, projectId: this.#config.projectId };
  }
}

function checkUrn(urn: string): string {
  if (!FUNCTION_URN.test(urn)) throw configProblem('request', 'malformed function URN (refused before sending)');
  return urn;
}

function parse<T>(operation: string, schema: z.ZodType<T>, raw: unknown): T {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new DeployError({ kind: 'server', operation, message: `unexpected answer${issue ? ` at ${issue.path.join('.') || '(root)'}: ${issue.message}` : ''}` });
}
