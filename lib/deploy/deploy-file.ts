/**
 * The deploy file (deploy/deploy.example.yaml): where and how `deploy` puts
 * the two functions, validated like the policy — strict schema, every problem
 * with its line, column and path (lib/policy parseValidated). It is checked
 * against FunctionGraph's documented rules (fg-rules.ts) and against the
 * policy it packages: exactly one timer per policy schedule.
 */
import { z } from 'zod';
import { err, ok, type Result } from '../domain/types';
import { HEX32, REGION } from '../domain/ids';
import { TOPIC_URN } from '../events/ids';
import { parseValidated, PolicyError } from '../policy';
import { APIG_PATH, FUNC_NAME, MEMORY_SIZES, NODE_RUNTIMES, PACKAGE_NAME, TIMEOUT_SECONDS, TIMER_NAME, timerScheduleProblem } from './fg-rules';

export const DEPLOY_FILE_LABEL = 'deploy file';

/** Set by deploy itself (from the file's fields and --arm), never by the file's environment. */
export const MANAGED_VARIABLES = ['HUAWEICLOUD_SDK_PROJECT_ID', 'DCS_REGION', 'GUARD_DRY_RUN', 'GUARD_POLICY'] as const;
/** Secrets: the function gets temporary credentials from its agency instead. */
export const FORBIDDEN_VARIABLES = ['HUAWEICLOUD_SDK_AK', 'HUAWEICLOUD_SDK_SK', 'HUAWEICLOUD_SDK_SECURITY_TOKEN', 'CLOUD_SDK_AK', 'CLOUD_SDK_SK'] as const;
/** The function's own settings (README, Configuration): DCS_*, GUARD_*, SMN_*. */
const SETTING_NAME = /^(DCS|GUARD|SMN)_[A-Z0-9_]+$/;

const strict = <T extends z.ZodRawShape>(shape: T) => z.strictObject(shape);

const environmentSchema = z.record(z.string(), z.string()).superRefine((env, ctx) => {
  for (const name of Object.keys(env)) {
    if ((FORBIDDEN_VARIABLES as readonly string[]).includes(name)) {
      ctx.addIssue({ code: 'custom', path: [name], message: `${name} is a secret: the functions sign with their agency's temporary credentials, give none here` });
    } else if ((MANAGED_VARIABLES as readonly string[]).includes(name)) {
      ctx.addIssue({ code: 'custom', path: [name], message: `${name} is set by deploy (projectId, region, --arm/--disarm, policy): remove it here` });
    } else if (!SETTING_NAME.test(name)) {
      ctx.addIssue({ code: 'custom', path: [name], message: `${name} is not a setting of the functions (DCS_*, GUARD_*, SMN_*; README "Configuration")` });
    }
  }
});

const functionSchema = strict({ name: z.string().regex(FUNC_NAME, { error: 'A function name has 1-60 letters, digits, "-" or "_", starting with a letter' }) });

const timerSchema = strict({
  cron: z.string().min(1).optional().describe('6 fields: sec min hour day-of-month month day-of-week, or "@every 1h"'),
  rate: z.string().min(1).optional().describe('e.g. "30m", "1h", "1d"'),
  status: z.enum(['ACTIVE', 'DISABLED']).default('ACTIVE'),
}).superRefine((t, ctx) => {
  if ((t.cron === undefined) === (t.rate === undefined)) return ctx.addIssue({ code: 'custom', message: 'A timer needs exactly one of cron or rate' });
  const problem = t.cron !== undefined ? timerScheduleProblem('Cron', t.cron) : timerScheduleProblem('Rate', t.rate!);
  if (problem) ctx.addIssue({ code: 'custom', path: [t.cron !== undefined ? 'cron' : 'rate'], message: problem });
});

const smnSchema = strict({
  topicUrn: z.string().regex(TOPIC_URN, { error: 'Expected an SMN topic URN: urn:smn:<region>:<project id>:<topic>' }),
  status: z.enum(['ACTIVE', 'DISABLED']).default('ACTIVE'),
});

const apigSchema = strict({
  groupId: z.string().regex(/^[0-9a-f]{32}$/, { error: 'Expected the API group id (32 hex characters)' }),
  path: z.string().regex(APIG_PATH).default('/cloudeye'),
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{2,63}$/).default('dcs_session_guard_cloudeye'),
  envName: z.string().min(1).default('RELEASE'),
  envId: z.string().min(1).default('DEFAULT_ENVIRONMENT_RELEASE_ID'),
  protocol: z.enum(['HTTPS', 'HTTP']).default('HTTPS'),
  status: z.enum(['ACTIVE', 'DISABLED']).default('ACTIVE'),
});

/** The deploy file's schema; with the policy's schedule names, timers must match them one to one. */
export function deployFileSchema(policySchedules: readonly string[] | null) {
  return strict({
    $schema: z.string().optional(),
    version: z.literal(1, { error: 'Expected version: 1 (the only deploy file version)' }),
    region: z.string().regex(REGION, { error: 'Expected a region name like cn-north-4' }),
    projectId: z.string().regex(HEX32, { error: 'Expected the project id: 32 hexadecimal characters' }),
    agency: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: 'Expected the agency name (FunctionGraph delegates to it: op_svc_cff)' }),
    package: z.string().regex(PACKAGE_NAME).default('default'),
    runtime: z.enum(NODE_RUNTIMES).default('Node.js20.15'),
    memoryMB: z.number().refine((m) => (MEMORY_SIZES as readonly number[]).includes(m), { error: `Expected one of ${MEMORY_SIZES.join(', ')}` }).default(256),
    timeoutSeconds: z.number().int().min(TIMEOUT_SECONDS.min).max(TIMEOUT_SECONDS.max).default(60),
    policy: z.string().min(1).default('deploy/policy.yaml').describe('Packaged into both zips as policy.yaml; relative to the deploy file.'),
    vpc: strict({ vpcId: z.string().min(1), subnetId: z.string().min(1) }).optional(),
    environment: environmentSchema.default({}),
    functions: strict({ alarm: functionSchema.default({ name: 'dcs-session-guard-alarm' }), cron: functionSchema.default({ name: 'dcs-session-guard-cron' }) }).prefault({}),
    triggers: strict({
      smn: smnSchema.optional(),
      apig: apigSchema.optional(),
      timers: z
        .record(z.string().regex(TIMER_NAME, { error: 'A timer is named after its policy schedule: letters, digits, "-" or "_", starting with a letter' }), timerSchema)
        .default({}),
    })
      .prefault({})
      .superRefine((t, ctx) => {
        if (policySchedules === null) return;
        for (const name of Object.keys(t.timers)) {
          if (!policySchedules.includes(name)) ctx.addIssue({ code: 'custom', path: ['timers', name], message: `The policy has no schedule "${name}" (it has: ${policySchedules.join(', ') || 'none'})` });
        }
        for (const name of policySchedules) {
          if (!(name in t.timers)) ctx.addIssue({ code: 'custom', path: ['timers'], message: `The policy's schedule "${name}" needs a timer here (cron or rate)` });
        }
      }),
  }).superRefine((file, ctx) => {
    if (file.functions.alarm.name === file.functions.cron.name) ctx.addIssue({ code: 'custom', path: ['functions', 'cron', 'name'], message: 'The two functions need different names' });
  });
}

export type DeployFile = z.output<ReturnType<typeof deployFileSchema>>;

/** Parses a deploy file; `policySchedules` (null: not known yet) checks the timers against the policy. */
export function parseDeployFile(text: string, source: string, policySchedules: readonly string[] | null): Result<DeployFile, PolicyError> {
  const parsed = parseValidated(deployFileSchema(policySchedules), text, source, DEPLOY_FILE_LABEL, 'The deploy file is empty; it needs at least version, region, projectId and agency');
  return parsed.ok ? ok(parsed.value) : err(parsed.error);
}
