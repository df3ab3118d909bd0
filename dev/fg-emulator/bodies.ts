/**
 * The request bodies the FunctionGraph emulator accepts, checked against the
 * documented field rules and limits (lib/deploy/fg-rules.ts, the same rules the
 * deploy command checks before sending). Unknown fields are ignored, as the
 * service does; wrong values are refused with FSS.0400 naming the field.
 */
import { z } from 'zod';
import { TOPIC_URN } from '../../lib/events/ids';
import {
  APIG_PATH,
  CODE_TYPES,
  FUNC_NAME,
  MEMORY_SIZES,
  NODE_RUNTIMES,
  PACKAGE_NAME,
  TIMEOUT_SECONDS,
  TIMER_NAME,
  TRIGGER_STATUSES,
  timerScheduleProblem,
  userDataProblem,
} from '../../lib/deploy/fg-rules';

const OTHER_RUNTIMES = /^(Python|Java|Go|C#|PHP|Custom|http|Cangjie)[A-Za-z0-9.]*$/;

const runtime = z.string().refine((r) => (NODE_RUNTIMES as readonly string[]).includes(r) || OTHER_RUNTIMES.test(r), 'unknown runtime');
const timeout = z.number().int().min(TIMEOUT_SECONDS.min).max(TIMEOUT_SECONDS.max);
const memorySize = z.number().refine((m) => (MEMORY_SIZES as readonly number[]).includes(m), `memory_size must be one of ${MEMORY_SIZES.join(', ')}`);
const userData = z.string().superRefine((value, ctx) => {
  const problem = userDataProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
const funcVpc = z.object({ vpc_id: z.string().min(1), subnet_id: z.string().min(1) }).loose();

/** The fields CreateFunction and UpdateFunctionConfig share. */
const configFields = {
  runtime,
  timeout,
  handler: z.string().min(1).max(128),
  memory_size: memorySize,
  user_data: userData.optional(),
  xrole: z.string().max(64).optional(),
  app_xrole: z.string().max(64).optional(),
  description: z.string().max(512).optional(),
  func_vpc: funcVpc.optional(),
  enable_lts_log: z.boolean().optional(),
};

/** base64 of a zip archive (its size limit is the server's: server.ts). */
const zipFile = z.string().superRefine((b64, ctx) => {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) return ctx.addIssue({ code: 'custom', message: 'func_code.file is not base64' });
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.length < 4 || bytes.readUInt32LE(0) !== 0x04034b50) ctx.addIssue({ code: 'custom', message: 'func_code.file is not a zip archive' });
});

const code = {
  code_type: z.enum(CODE_TYPES),
  code_filename: z.string().min(1).max(255).optional(),
  func_code: z.object({ file: zipFile }).loose().optional(),
};

function zipNeedsFile(body: { code_type: string; code_filename?: string | undefined; func_code?: unknown }, ctx: z.RefinementCtx): void {
  if (body.code_type !== 'zip') return;
  if (body.code_filename === undefined) ctx.addIssue({ code: 'custom', path: ['code_filename'], message: 'code_filename is required for code_type zip' });
  if (body.func_code === undefined) ctx.addIssue({ code: 'custom', path: ['func_code'], message: 'func_code.file is required for code_type zip' });
}

export const CreateFunctionBody = z
  .object({ func_name: z.string().regex(FUNC_NAME, 'func_name: 1-60 letters, digits, "-" or "_", starting with a letter'), package: z.string().regex(PACKAGE_NAME), ...configFields, ...code })
  .loose()
  .superRefine(zipNeedsFile);

export const UpdateConfigBody = z.object(configFields).loose();

export const UpdateCodeBody = z.object(code).loose().superRefine(zipNeedsFile);

const timerEvent = z
  .object({ name: z.string().regex(TIMER_NAME, 'timer name: letters, digits, "-" or "_", starting with a letter'), schedule_type: z.enum(['Rate', 'Cron']), schedule: z.string().min(1), user_event: z.string().max(4096).optional() })
  .loose()
  .superRefine((e, ctx) => {
    const problem = timerScheduleProblem(e.schedule_type, e.schedule);
    if (problem) ctx.addIssue({ code: 'custom', path: ['schedule'], message: problem });
  });

const smnEvent = z.object({ topic_urn: z.string().regex(TOPIC_URN, 'topic_urn is not an SMN topic URN') }).loose();

const apigEvent = z
  .object({
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{2,63}$/),
    type: z.literal(1).optional(),
    path: z.string().regex(APIG_PATH),
    protocol: z.enum(['HTTP', 'HTTPS']),
    req_method: z.enum(['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS', 'ANY']),
    group_id: z.string().min(1),
    env_name: z.string().min(1),
    env_id: z.string().min(1),
    match_mode: z.enum(['SWA', 'NORMAL']),
    auth: z.enum(['IAM', 'APP', 'NONE']),
    backend_type: z.literal('FUNCTION').optional(),
    func_info: z.object({ timeout: z.number().int().min(1).max(60000), invocation_type: z.enum(['sync', 'async']).optional() }).loose(),
  })
  .loose();

export const EVENT_DATA = { TIMER: timerEvent, SMN: smnEvent, APIG: apigEvent, DEDICATEDGATEWAY: apigEvent } as const;

export const CreateTriggerBody = z
  .object({
    trigger_type_code: z.enum(['TIMER', 'SMN', 'APIG', 'DEDICATEDGATEWAY']),
    trigger_status: z.enum(TRIGGER_STATUSES).optional(),
    event_type_code: z.string().optional(),
    event_data: z.record(z.string(), z.unknown()),
  })
  .loose();

/** The first problem of a failed parse, as "field: message". */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid body';
  const where = issue.path.map(String).join('.');
  return where ? `${where}: ${issue.message}` : issue.message;
}
