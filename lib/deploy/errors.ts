/**
 * Every failure of `deploy`, `undeploy` and the FunctionGraph client is one
 * DeployError that names the operation, the service's error code (FSS.xxxx)
 * and the fix: for a permission error, the IAM action the deployer lacks.
 * Messages are built from safe fields only (never a header, key or token).
 */
import { readSdkFailure, transportCode } from '../dcs/errors';

export type DeployErrorKind =
  /** The deploy file, flags or environment: nothing was sent. */
  | 'config'
  /** A function of that name exists but was not created by deploy: it is left alone. */
  | 'not_owned'
  /** 401/403: credentials refused, or an IAM action missing. */
  | 'unauthorized'
  /** 4xx: the service refused the request as built. */
  | 'rejected'
  | 'throttled'
  | 'server'
  /** The request never left (refused, DNS, TLS). */
  | 'not_sent'
  /** Sent, then no answer: it may have been applied; the next deploy reads the state again. */
  | 'outcome_unknown';

export interface DeployErrorInit {
  kind: DeployErrorKind;
  operation: string;
  message: string;
  code?: string | null;
  httpStatus?: number | null;
  requestId?: string | null;
  fix?: string | null;
}

export class DeployError extends Error {
  override readonly name = 'DeployError';
  readonly kind: DeployErrorKind;
  readonly operation: string;
  readonly code: string | null;
  readonly httpStatus: number | null;
  readonly requestId: string | null;
  readonly fix: string | null;

  constructor(init: DeployErrorInit) {
    super(init.message);
    this.kind = init.kind;
    this.operation = init.operation;
    this.code = init.code ?? null;
    this.httpStatus = init.httpStatus ?? null;
    this.requestId = init.requestId ?? null;
    this.fix = init.fix ?? null;
  }

  /** One line for a person: operation, status and code, message, fix. */
  describe(): string {
    const status = [this.httpStatus !== null ? `HTTP ${this.httpStatus}` : null, this.code].filter(Boolean).join(' ');
    return `${this.operation} failed${status ? ` (${status})` : ''}: ${this.message}${this.fix ? `. Fix: ${this.fix}` : ''}${this.requestId ? ` [request id ${this.requestId}]` : ''}`;
  }

  toJSON(): Record<string, unknown> {
    return { kind: this.kind, operation: this.operation, code: this.code, httpStatus: this.httpStatus, requestId: this.requestId, message: this.message, fix: this.fix };
  }
}

export const configProblem = (operation: string, message: string, fix?: string): DeployError => new DeployError({ kind: 'config', operation, message, fix: fix ?? null });

/**
 * The IAM action each FunctionGraph operation needs (the deployer's, not the
 * function agency's). Trigger actions are not confirmed by the public docs;
 * "FunctionGraph FullAccess" covers all of them.
 */
export const IAM_ACTIONS: Readonly<Record<string, string>> = {
  showFunctionConfig: 'functiongraph:function:getConfig',
  listFunctions: 'functiongraph:function:list',
  createFunction: 'functiongraph:function:create',
  updateFunctionCode: 'functiongraph:function:updateCode',
  updateFunctionConfig: 'functiongraph:function:updateConfig',
  deleteFunction: 'functiongraph:function:delete',
  listFunctionTriggers: 'functiongraph:trigger:list',
  createFunctionTrigger: 'functiongraph:trigger:create',
  deleteFunctionTrigger: 'functiongraph:trigger:delete',
};

/** An sdk-core failure of one FunctionGraph call, as a DeployError with its fix. */
export function fromSdkFailure(error: unknown, operation: string, secrets: readonly string[]): DeployError {
  if (error instanceof DeployError) return error;
  const f = readSdkFailure(error, secrets);
  const base = { operation, code: f.serviceCode, httpStatus: f.status, requestId: f.requestId };
  if (f.status === null) {
    if (f.name === 'RequiredError' || f.name === 'SdkException') return new DeployError({ ...base, kind: 'config', message: f.detail });
    // Deploy never decides from this whether a request left: the next run reads the account again.
    const code = transportCode(f.detail);
    const unreachable = code === 'connection_refused' || code === 'dns_failure';
    const fix = unreachable ? 'check FG_ENDPOINT / the region and the network' : 'run deploy again: it reads the state first and repairs';
    return new DeployError({ ...base, code, kind: unreachable ? 'not_sent' : 'outcome_unknown', message: f.detail, fix });
  }
  if (f.status >= 300 && f.status < 400) return new DeployError({ ...base, kind: 'rejected', message: 'the endpoint answered a redirect (not followed)', fix: 'check FG_ENDPOINT / the region' });
  if (f.status === 401) return new DeployError({ ...base, kind: 'unauthorized', message: f.detail, fix: 'check HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK (and the security token of temporary credentials)' });
  if (f.status === 403) {
    const action = IAM_ACTIONS[operation];
    return new DeployError({ ...base, kind: 'unauthorized', message: f.detail, fix: `grant the deploying user ${action ? `the IAM action ${action}` : 'the FunctionGraph permissions'} (or the system policy "FunctionGraph FullAccess"), and check the project id` });
  }
  if (f.status === 429) return new DeployError({ ...base, kind: 'throttled', message: f.detail, fix: 'wait a minute and run deploy again' });
  if (f.status >= 500) return new DeployError({ ...base, kind: 'server', message: f.detail, fix: 'run deploy again: it reads the state first and repairs' });
  return new DeployError({ ...base, kind: 'rejected', message: f.detail, fix: f.status === 409 ? 'something of that name exists: run deploy --plan to see the state' : 'check the deploy file against docs/deploy.md' });
}
