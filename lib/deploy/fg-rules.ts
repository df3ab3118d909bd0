/**
 * FunctionGraph's documented field rules and limits (docs/reference.md,
 * "FunctionGraph"), in one place: the deploy file is checked against them
 * before any request is built, and the FunctionGraph emulator (dev/fg-emulator)
 * enforces the same ones, so a test cannot pass on a value the service refuses.
 */
import { HEX32, REGION } from '../domain/ids';

/** 1-60 characters, letters, digits, '-' and '_', starting with a letter. */
export const FUNC_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,59}$/;
/** The function's app/package ("default" in practice): same alphabet, up to 64. */
export const PACKAGE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
export const MEMORY_SIZES = [128, 256, 512, 768, 1024, 1280, 1536, 1792, 2048, 2560, 3072, 3584, 4096] as const;
export const TIMEOUT_SECONDS = { min: 3, max: 259_200 } as const;
export const MAX_USER_DATA_VARIABLES = 20;
export const MAX_USER_DATA_BYTES = 4096;
/** A zip uploaded through the API (base64 in the body) may hold at most this many bytes. */
export const MAX_ZIP_BYTES = 50 * 1024 * 1024;
export const MAX_FUNCTIONS = 400;
export const CODE_TYPES = ['inline', 'zip', 'obs', 'jar', 'Custom-Image-Swr'] as const;
/** The Node.js runtimes the user guide lists (the SDK's enum stops at 18.15 but accepts any string). */
export const NODE_RUNTIMES = ['Node.js6.10', 'Node.js8.10', 'Node.js10.16', 'Node.js12.13', 'Node.js14.18', 'Node.js16.17', 'Node.js18.15', 'Node.js20.15'] as const;
export const TRIGGER_TYPES = ['TIMER', 'SMN', 'APIG', 'DEDICATEDGATEWAY'] as const;
export const TRIGGER_STATUSES = ['ACTIVE', 'DISABLED'] as const;
export type TriggerType = (typeof TRIGGER_TYPES)[number];
export type TriggerStatus = (typeof TRIGGER_STATUSES)[number];

/** urn:fss:{region}:{project_id}:function:{package}:{name}[:{version}|:!{alias}] */
export const FUNCTION_URN = /^urn:fss:([a-z]{2}(?:-[a-z]+)+-\d+):([0-9a-f]{32}):function:([A-Za-z][A-Za-z0-9_-]{0,63}):([A-Za-z][A-Za-z0-9_-]{0,59})(?::(latest|[A-Za-z0-9][A-Za-z0-9._-]{0,63}|![A-Za-z][A-Za-z0-9_-]{0,63}))?$/;
/** Trigger ids: uuid-like tokens; they go into a URL path, so nothing else is accepted. */
export const TRIGGER_ID = /^[0-9A-Za-z][0-9A-Za-z_-]{0,127}$/;
/** Timer trigger names: letters, digits, '-' and '_', up to 64. */
export const TIMER_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
/** APIG paths: absolute, no query, no '..'. */
export const APIG_PATH = /^\/(?:[A-Za-z0-9_.{}+-]+\/?)*$/;

export interface FunctionUrn {
  region: string;
  projectId: string;
  package: string;
  name: string;
  /** latest, a version, or "!alias"; null for the versionless URN. */
  qualifier: string | null;
}

export function parseFunctionUrn(urn: string): FunctionUrn | null {
  const m = FUNCTION_URN.exec(urn);
  if (!m) return null;
  return { region: m[1]!, projectId: m[2]!, package: m[3]!, name: m[4]!, qualifier: m[5] ?? null };
}

export function functionUrn(region: string, projectId: string, pkg: string, name: string, qualifier: string | null = 'latest'): string {
  if (!REGION.test(region) || !HEX32.test(projectId) || !PACKAGE_NAME.test(pkg) || !FUNC_NAME.test(name)) {
    throw new Error('functionUrn: region, project id, package or name malformed');
  }
  return `urn:fss:${region}:${projectId.toLowerCase()}:function:${pkg}:${name}${qualifier === null ? '' : `:${qualifier}`}`;
}

/** The versionless URN (CreateFunction answers one ending in ":latest"). */
export function versionlessUrn(urn: string): string {
  const parsed = parseFunctionUrn(urn);
  if (!parsed) throw new Error('versionlessUrn: not a function URN');
  return `urn:fss:${parsed.region}:${parsed.projectId}:function:${parsed.package}:${parsed.name}`;
}

const CRON_FIELD = /^[0-9A-Za-z*?,/#LW-]+$/;
const EVERY = /^@every\s+(\d+h)?(\d+m)?(\d+s)?$/;

/**
 * Why a timer schedule would be refused, or null. Rate: `3m`, `1h`, `1d`.
 * Cron: six fields `sec min hour dom month dow`, or `@every 1h30m`, with an
 * optional `CRON_TZ=<zone> ` prefix.
 */
export function timerScheduleProblem(type: 'Rate' | 'Cron', schedule: string): string | null {
  if (type === 'Rate') return /^[1-9]\d{0,4}[mhd]$/.test(schedule) ? null : 'a Rate schedule is a number and a unit m, h or d, e.g. "3m", "1h", "1d"';
  const body = schedule.replace(/^CRON_TZ=[A-Za-z_]+(?:\/[A-Za-z_+-]+)*\s+/, '').trim();
  if (body.startsWith('@every')) {
    const m = EVERY.exec(body);
    return m && (m[1] || m[2] || m[3]) ? null : 'an @every schedule is like "@every 1h30m"';
  }
  const fields = body.split(/\s+/);
  if (fields.length !== 6) return `a Cron schedule has 6 fields (sec min hour day-of-month month day-of-week), got ${fields.length}`;
  return fields.every((f) => CRON_FIELD.test(f)) ? null : 'a Cron field holds digits, names, and * ? , / - L W # only';
}

/** Why environment variables (user_data, a JSON string) would be refused, or null. */
export function userDataProblem(userData: string): string | null {
  if (Buffer.byteLength(userData, 'utf8') > MAX_USER_DATA_BYTES) return `environment variables exceed ${MAX_USER_DATA_BYTES} bytes in all`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(userData);
  } catch {
    return 'user_data is not a JSON object';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'user_data is not a JSON object';
  const entries = Object.entries(parsed);
  if (entries.length > MAX_USER_DATA_VARIABLES) return `at most ${MAX_USER_DATA_VARIABLES} environment variables, got ${entries.length}`;
  const bad = entries.find(([k, v]) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) || typeof v !== 'string');
  return bad ? `environment variable ${JSON.stringify(bad[0])} needs a name of letters, digits and "_" and a string value` : null;
}
