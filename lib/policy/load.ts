/**
 * Loading the policy: where it comes from (GUARD_POLICY, else the file packaged
 * beside the bundle), parsing (YAML or JSON), validation against the schema,
 * and the GUARD_DRY_RUN override.
 *
 * A cold start pays for as little as it can (docs/performance.md): a policy
 * file with a valid build-checked form beside it (checked.ts) is read as JSON;
 * a JSON policy (inline or .json) is parsed by JSON.parse, then validated;
 * everything else, and every invalid policy, goes through the full validation
 * (validate.ts: zod's schema, yaml for line and column), which is loaded on
 * demand (dist/<fn>/policy-schema.js).
 *
 * A policy that fails to load is an error value, never a partial policy: the
 * handlers fail every invocation with its one-line message and take no action.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { output, ZodType } from 'zod';
import { readBooleanSetting } from '../domain/settings';
import { err, ok, type Result } from '../domain/types';
import { checkedPolicyPath, trustedCheckedPolicy } from './checked';
import { PolicyError, type PolicyFailure } from './error';
import type { Policy } from './schema';
import type { PolicySyntax } from './validate';
import { MAX_POLICY_JSON_DEPTH } from './vocabulary';
import { onFirstUse } from '../runtime/lazy';

export { formatPath, PolicyError, type PolicyErrorCode, type PolicyIssue, type PolicyPath } from './error';

export const INLINE_SOURCE = 'GUARD_POLICY (inline JSON)';
export const DRY_RUN_SOURCE = 'GUARD_DRY_RUN';

/** The full validation, required on first use rather than imported: a build-checked policy never needs it. */
const validator = /* @__PURE__ */ onFirstUse(() => require('./validate-module') as typeof import('./validate-module'));

// ---------------------------------------------------------------------------
// Parsing and validating a policy text
// ---------------------------------------------------------------------------

/** A .json file or inline GUARD_POLICY is held to JSON's grammar; everything else is YAML. */
function syntaxOf(source: string): PolicySyntax {
  return source === INLINE_SOURCE || /\.json$/i.test(source) ? 'json' : 'yaml';
}

/** Parses and validates a policy text (YAML or JSON). `source` names it in errors. */
export function parsePolicy(text: string, source: string): Result<Policy, PolicyError> {
  const syntax = syntaxOf(source);
  if (syntax === 'json') {
    const data = parseJsonPolicy(text);
    const policy = data === undefined ? null : validator().validatePolicyData(data);
    if (policy !== null) return ok(policy);
  }
  // Also every invalid JSON policy: the full path says where and why.
  return located(validator().validatePolicyText(text, syntax), source, 'policy');
}

/**
 * Parses a YAML/JSON text and validates it against a zod schema; every problem
 * is located (line, column, path). Shared by the policy and the deploy file.
 */
export function parseValidated<S extends ZodType>(schema: S, text: string, source: string, label: string, emptyMessage: string): Result<output<S>, PolicyError> {
  return located(validator().validateDocument(schema, text, emptyMessage), source, label);
}

function located<T>(result: Result<T, PolicyFailure>, source: string, label: string): Result<T, PolicyError> {
  return result.ok ? result : err(new PolicyError(result.error.code, source, result.error.issues, label));
}

/**
 * A JSON policy's data by JSON.parse, without yaml; undefined when the full
 * path must read it: a syntax error (to locate it), nesting deeper than the
 * cap, or a duplicated key, which JSON.parse would settle silently by keeping
 * the last one (a second "dryRun" must be refused, never win).
 */
function parseJsonPolicy(text: string): unknown {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  const keys = countKeys(data, 0);
  return keys >= 0 && keys === keysInText(text) ? data : undefined;
}

/** Own keys of every object in a parsed JSON value; -1 past the depth cap. */
function countKeys(value: unknown, depth: number): number {
  if (value === null || typeof value !== 'object') return 0;
  if (depth >= MAX_POLICY_JSON_DEPTH) return -1;
  let count = 0;
  const items = Array.isArray(value) ? value : Object.values(value);
  if (!Array.isArray(value)) count += items.length;
  for (const item of items) {
    const inner = countKeys(item, depth + 1);
    if (inner < 0) return -1;
    count += inner;
  }
  return count;
}

/** Every string token of a valid JSON text, in order; a key is one followed by a colon. */
const JSON_STRING = /"(?:[^"\\]|\\.)*"(\s*:)?/g;

/** Keys written in a JSON text (that JSON.parse accepted): more than the parsed value holds means a key was written twice. */
function keysInText(text: string): number {
  let count = 0;
  JSON_STRING.lastIndex = 0;
  for (let match = JSON_STRING.exec(text); match !== null; match = JSON_STRING.exec(text)) {
    if (match[1] !== undefined) count += 1;
  }
  return count;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

// ---------------------------------------------------------------------------
// Where the policy comes from
// ---------------------------------------------------------------------------

export interface LoadPolicyOptions {
  /** The environment (FunctionGraph environment variables); only GUARD_POLICY and GUARD_DRY_RUN are read. */
  env: Readonly<Record<string, string | undefined>>;
  /** The policy packaged beside the bundle, used when GUARD_POLICY is unset or empty. */
  defaultPath: string;
  /** Reads a file as UTF-8 text; defaults to fs.readFileSync. */
  readFile?: (path: string) => string;
  /** Directory a relative GUARD_POLICY path is resolved against; default: the directory of defaultPath (beside the bundle). */
  baseDir?: string;
  /**
   * Use a policy file's build-checked form (policy.checked.json beside it) when it is
   * this build's and was made from the file's exact text (the functions do; `validate`
   * and deploy validate in full).
   */
  checked?: boolean;
}

export interface LoadedPolicy {
  /** The validated policy; dryRun is true when GUARD_DRY_RUN forced it. */
  policy: Policy;
  /** The file path, or "GUARD_POLICY (inline JSON)". */
  source: string;
  /** True when GUARD_DRY_RUN=true forced the dry run (whatever the policy says). */
  forcedDryRun: boolean;
}

const readUtf8 = (path: string): string => readFileSync(path, 'utf8');

/**
 * Loads the policy named by the environment.
 *
 * GUARD_POLICY: inline JSON when it starts with "{", else a path to a YAML or JSON
 * file (relative paths resolve against `baseDir`); unset or blank: `defaultPath`.
 * GUARD_DRY_RUN: "true" forces dry run, "false" or unset/blank leaves it to the
 * policy; anything else ("yes", "1", "ture"...) is an error, because a mistyped
 * safety switch must not silently let kills through. Case and surrounding spaces are ignored.
 */
export function loadPolicy(opts: LoadPolicyOptions): Result<LoadedPolicy, PolicyError> {
  const forced = parseDryRunSwitch(opts.env.GUARD_DRY_RUN);
  if (!forced.ok) return forced;

  const where = policyLocation(opts);
  const read = opts.readFile ?? readUtf8;
  let text: string;
  if (where.kind === 'inline') {
    text = where.text;
  } else {
    try {
      text = read(where.path);
    } catch (error) {
      return err(new PolicyError('policy_unreadable', where.path, [{ path: [], line: null, column: null, message: `Cannot read the file (${describeReadError(error)})` }]));
    }
  }

  let validated = where.kind === 'file' && opts.checked === true ? checkedPolicy(where.path, text, read) : null;
  if (validated === null) {
    const parsed = parsePolicy(text, where.source);
    if (!parsed.ok) return parsed;
    validated = parsed.value;
  }
  // GUARD_DRY_RUN is applied after validation, whichever way the policy was validated.
  const policy = forced.value ? { ...validated, dryRun: true } : validated;
  // Frozen: the same object serves every invocation of a warm container.
  return ok(deepFreeze({ policy, source: where.source, forcedDryRun: forced.value }));
}

/** The policy of the file's build-checked form, or null (none, unreadable, stale, another build's): then it is validated in full. */
function checkedPolicy(path: string, text: string, read: (path: string) => string): Policy | null {
  let checkedText: string;
  try {
    checkedText = read(checkedPolicyPath(path));
  } catch {
    return null;
  }
  return trustedCheckedPolicy(checkedText, text, syntaxOf(path));
}

type PolicyLocation = { kind: 'inline'; text: string; source: string } | { kind: 'file'; path: string; source: string };

function policyLocation(opts: LoadPolicyOptions): PolicyLocation {
  const value = opts.env.GUARD_POLICY?.trim() ?? '';
  if (value.startsWith('{')) return { kind: 'inline', text: value, source: INLINE_SOURCE };
  const path = value === '' ? opts.defaultPath : resolve(opts.baseDir ?? dirname(opts.defaultPath), value);
  return { kind: 'file', path, source: path };
}

function parseDryRunSwitch(raw: string | undefined): Result<boolean, PolicyError> {
  const read = readBooleanSetting(DRY_RUN_SOURCE, raw);
  if (read.ok) return read;
  const shown = JSON.stringify(raw && raw.length > 40 ? `${raw.slice(0, 40)}...` : raw);
  return err(new PolicyError('env_invalid', DRY_RUN_SOURCE, [{ path: [], line: null, column: null, message: `Expected "true" or "false", got ${shown}` }]));
}

function describeReadError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return typeof code === 'string' ? code : error instanceof Error ? error.message : 'unknown error';
}

// ---------------------------------------------------------------------------
// Once per warm container
// ---------------------------------------------------------------------------

const cache = new Map<string, Result<LoadedPolicy, PolicyError>>();

/** The last lookup: a warm container asks with the same options every invocation, answered without building a key. */
let last: { opts: LoadPolicyOptions; policyVar: string | undefined; dryRunVar: string | undefined; result: Result<LoadedPolicy, PolicyError> } | null = null;

/**
 * loadPolicy, memoised per process by (GUARD_POLICY, GUARD_DRY_RUN, defaultPath,
 * baseDir, checked): the file is read and validated once. A failure is cached
 * too, so every invocation fails the same way, fast, without acting. A changed
 * file is not re-read: on FunctionGraph a new policy means a new deployment or a
 * changed environment variable, which both start new containers.
 */
export function getPolicy(opts: LoadPolicyOptions): Result<LoadedPolicy, PolicyError> {
  const policyVar = opts.env.GUARD_POLICY;
  const dryRunVar = opts.env.GUARD_DRY_RUN;
  // Same options object, same two variables: two reads and two comparisons per invocation.
  if (last !== null && last.opts === opts && last.policyVar === policyVar && last.dryRunVar === dryRunVar) return last.result;
  const key = JSON.stringify([policyVar ?? null, dryRunVar ?? null, opts.defaultPath, opts.baseDir ?? null, opts.checked === true]);
  let result = cache.get(key);
  if (!result) {
    result = loadPolicy(opts);
    cache.set(key, result);
  }
  last = { opts, policyVar, dryRunVar, result };
  return result;
}

/** Forgets every memoised policy (tests, and the local runner after an edit). */
export function clearPolicyCache(): void {
  cache.clear();
  last = null;
}
