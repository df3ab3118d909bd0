/**
 * Fault injection: rules that make matching DCS requests slow, fail, reset, hang or redirect,
 * and jobs that end FAIL or never end. A job rule without an operation is about kill-all
 * jobs; `operation: scanClients` makes it about scan jobs. Rules are checked after a request is recorded, so a test can
 * tell "sent but failed" from "never sent".
 */
import { z } from 'zod';

export const FaultSpecSchema = z
  .object({
    /** e.g. 'hangUpKillAllClients'; see OPERATIONS in routes.ts. */
    operation: z.string().min(1).optional(),
    /** A regular expression tested against the request path. */
    pathPattern: z.string().min(1).optional(),
    method: z.string().min(1).optional(),
    /** How many matching requests (or kill jobs for jobFail) it affects; default: unlimited (jobFail: 1). */
    times: z.number().int().positive().optional(),
    latencyMs: z.number().int().nonnegative().optional(),
    status: z.number().int().min(400).max(599).optional(),
    errorCode: z.string().min(1).optional(),
    errorMsg: z.string().min(1).optional(),
    /** Destroy the socket without answering. */
    reset: z.boolean().optional(),
    /** Never answer (the client must time out). */
    hang: z.boolean().optional(),
    /** Answer 302 with this Location. */
    redirectTo: z.string().min(1).optional(),
    /** The next kill job(s) end FAIL with this reason. */
    jobFail: z.string().min(1).optional(),
    /** The next kill job(s) stay RUNNING forever. */
    jobHang: z.literal(true).optional(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (spec.pathPattern !== undefined) {
      try {
        new RegExp(spec.pathPattern);
      } catch {
        ctx.addIssue({ code: 'custom', path: ['pathPattern'], message: 'not a valid regular expression' });
      }
    }
    if (spec.operation !== undefined && isJobRule(spec) && !JOB_OPERATIONS.includes(spec.operation)) {
      ctx.addIssue({ code: 'custom', path: ['operation'], message: `jobFail/jobHang apply to the jobs of ${JOB_OPERATIONS.join(' or ')}` });
    }
    const actions = [spec.status !== undefined, spec.reset === true, spec.hang === true, spec.redirectTo !== undefined, spec.jobFail !== undefined, spec.jobHang === true];
    if (actions.filter(Boolean).length > 1) ctx.addIssue({ code: 'custom', message: 'choose at most one of status, reset, hang, redirectTo, jobFail, jobHang' });
    if (!actions.some(Boolean) && spec.latencyMs === undefined) ctx.addIssue({ code: 'custom', message: 'a fault needs an effect: latencyMs, status, reset, hang, redirectTo, jobFail or jobHang' });
    if ((spec.errorCode !== undefined || spec.errorMsg !== undefined) && spec.status === undefined) {
      ctx.addIssue({ code: 'custom', path: ['status'], message: 'errorCode/errorMsg need a status' });
    }
  });

export type FaultSpec = z.infer<typeof FaultSpecSchema>;

/** The calls that create jobs; a job rule names one of them, or none (kill-all). */
const JOB_OPERATIONS: readonly string[] = ['hangUpKillAllClients', 'scanClients'];

function isJobRule(spec: Pick<FaultSpec, 'jobFail' | 'jobHang'>): boolean {
  return spec.jobFail !== undefined || spec.jobHang === true;
}

/** How a job created by a request ends, when a job rule says so. */
export type JobFault = { kind: 'fail'; reason: string } | { kind: 'hang' };

export class FaultSpecError extends Error {
  override readonly name = 'FaultSpecError';
  readonly code = 'FAULT_INVALID';
}

/** What the server does with a request a fault matched. */
export type FaultAction =
  | { kind: 'none' }
  | { kind: 'error'; status: number; errorCode: string; errorMsg: string }
  | { kind: 'reset' }
  | { kind: 'hang' }
  | { kind: 'redirect'; location: string };

export interface FaultPlan {
  latencyMs: number;
  action: FaultAction;
}

interface ActiveFault {
  id: number;
  spec: FaultSpec;
  pattern: RegExp | null;
  remaining: number;
}

export interface RequestKey {
  operation: string;
  method: string;
  path: string;
}

export class FaultController {
  private faults: ActiveFault[] = [];
  private nextId = 1;

  /** `defaultCode`: the error_code of an injected status when the rule names none (each emulated API has its own codes). */
  constructor(private readonly defaultCode: (status: number) => string = dcsDefaultCode) {}

  /** Adds a rule; throws FaultSpecError on a bad spec. Returns its id. */
  add(spec: FaultSpec): number {
    const parsed = FaultSpecSchema.safeParse(spec);
    if (!parsed.success) throw new FaultSpecError(`Invalid fault: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(spec)'}: ${i.message}`).join('; ')}`);
    const s = parsed.data;
    const id = this.nextId++;
    const times = s.times ?? (isJobRule(s) ? 1 : Number.POSITIVE_INFINITY);
    this.faults.push({ id, spec: s, pattern: s.pathPattern === undefined ? null : new RegExp(s.pathPattern), remaining: times });
    return id;
  }

  remove(id: number): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    return this.faults.length < before;
  }

  clear(): void {
    this.faults = [];
  }

  list(): Array<FaultSpec & { id: number; remaining: number | null }> {
    return this.faults.map((f) => ({ ...f.spec, id: f.id, remaining: Number.isFinite(f.remaining) ? f.remaining : null }));
  }

  /** The first request-level fault matching the request, used up by one. */
  planFor(request: RequestKey): FaultPlan {
    const fault = this.faults.find((f) => !isJobRule(f.spec) && matches(f, request));
    if (!fault) return { latencyMs: 0, action: { kind: 'none' } };
    this.consume(fault);
    return { latencyMs: fault.spec.latencyMs ?? 0, action: actionOf(fault.spec, this.defaultCode) };
  }

  /** How the job this request creates must end, if a job rule matches (used up by one). */
  takeJobFault(request: RequestKey): JobFault | null {
    const fault = this.faults.find((f) => isJobRule(f.spec) && (f.spec.operation ?? 'hangUpKillAllClients') === request.operation && matches(f, request));
    if (!fault) return null;
    this.consume(fault);
    return fault.spec.jobFail !== undefined ? { kind: 'fail', reason: fault.spec.jobFail } : { kind: 'hang' };
  }

  private consume(fault: ActiveFault): void {
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.remove(fault.id);
  }
}

function matches(fault: ActiveFault, request: RequestKey): boolean {
  const { operation, method } = fault.spec;
  if (operation !== undefined && operation !== request.operation) return false;
  if (method !== undefined && method.toUpperCase() !== request.method.toUpperCase()) return false;
  return fault.pattern === null || fault.pattern.test(request.path);
}

function actionOf(spec: FaultSpec, defaultCode: (status: number) => string): FaultAction {
  if (spec.reset) return { kind: 'reset' };
  if (spec.hang) return { kind: 'hang' };
  if (spec.redirectTo !== undefined) return { kind: 'redirect', location: spec.redirectTo };
  if (spec.status !== undefined) {
    return { kind: 'error', status: spec.status, errorCode: spec.errorCode ?? defaultCode(spec.status), errorMsg: spec.errorMsg ?? 'Injected fault.' };
  }
  return { kind: 'none' };
}

/** Codes a gateway or DCS would plausibly use for a status when the fault names none. */
function dcsDefaultCode(status: number): string {
  if (status === 429) return 'APIGW.0308';
  return status >= 500 ? 'DCS.5000' : 'DCS.4000';
}

export type FaultAnswer = (status: number, body: unknown, headers?: Record<string, string>) => void;

/**
 * Runs a fault plan on a request (both emulators): waits the latency, then answers the
 * error or redirect, resets the socket, or never answers. True when the fault answered
 * (or deliberately did not), false when the request should be handled normally.
 */
export async function applyFaultPlan(plan: FaultPlan, socket: { destroy(): void }, answer: FaultAnswer, delay: (ms: number) => Promise<void>): Promise<boolean> {
  if (plan.latencyMs > 0) await delay(plan.latencyMs);
  const action = plan.action;
  switch (action.kind) {
    case 'none':
      return false;
    case 'error':
      answer(action.status, { error_code: action.errorCode, error_msg: action.errorMsg });
      return true;
    case 'redirect':
      answer(302, { location: action.location }, { Location: action.location });
      return true;
    case 'reset':
      socket.destroy();
      return true;
    case 'hang':
      return true;
  }
}
