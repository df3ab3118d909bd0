/**
 * Loading the policy: where it comes from (GUARD_POLICY, else the file packaged
 * beside the bundle), parsing (YAML or JSON, both through the `yaml` parser so
 * every problem has a line and column), validation against the schema, and the
 * GUARD_DRY_RUN override.
 *
 * A policy that fails to load is an error value, never a partial policy: the
 * handlers fail every invocation with its one-line message and take no action.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Document, Node } from 'yaml';
import type { core, output, ZodType } from 'zod';
import { readBooleanSetting } from '../domain/settings';
import { err, ok, type Result } from '../domain/types';
import { checkJsonSyntax } from '../events/json-syntax';
import { PolicySchema, type Policy } from './schema';

export const INLINE_SOURCE = 'GUARD_POLICY (inline JSON)';
export const DRY_RUN_SOURCE = 'GUARD_DRY_RUN';

export type PolicyPath = (string | number)[];

/** One problem in a policy, located in its document when possible. */
export interface PolicyIssue {
  path: PolicyPath;
  /** 1-based; null when the problem has no place in the text (unreadable file, bad env value). */
  line: number | null;
  column: number | null;
  message: string;
}

export type PolicyErrorCode =
  /** The file could not be read. */
  | 'policy_unreadable'
  /** Not valid YAML/JSON. */
  | 'policy_syntax'
  /** Valid YAML/JSON, but not a valid policy. */
  | 'policy_invalid'
  /** GUARD_DRY_RUN holds something other than "true" or "false". */
  | 'env_invalid';

/**
 * Why no policy could be loaded. `path`, `line`, `column` and `message` describe
 * the first problem; `issues` lists them all (for `validate`).
 */
export class PolicyError {
  readonly name = 'PolicyError';
  readonly path: PolicyPath;
  readonly line: number | null;
  readonly column: number | null;
  readonly message: string;

  constructor(
    readonly code: PolicyErrorCode,
    readonly source: string,
    readonly issues: readonly [PolicyIssue, ...PolicyIssue[]],
    /** What the document is, in messages: "policy", or "deploy file" for the deploy command's file. */
    readonly label = 'policy',
  ) {
    const [first] = issues;
    this.path = first.path;
    this.line = first.line;
    this.column = first.column;
    this.message = first.message;
  }

  /** One line, e.g. `policy /x/policy.yaml:12:5 at alarms[0].scope: Invalid option: ...`. */
  format(): string {
    const more = this.issues.length - 1;
    return this.formatIssue(this.issues[0]) + (more > 0 ? ` (and ${more} more problem${more > 1 ? 's' : ''})` : '');
  }

  /** One line per problem. */
  formatAll(): string[] {
    return this.issues.map((issue) => this.formatIssue(issue));
  }

  toString(): string {
    return this.format();
  }

  private formatIssue(issue: PolicyIssue): string {
    const place = issue.line === null ? '' : `:${issue.line}` + (issue.column === null ? '' : `:${issue.column}`);
    const at = issue.path.length > 0 ? ` at ${formatPath(issue.path)}` : '';
    return `${this.label} ${this.source}${place}${at}: ${issue.message}`;
  }
}

/** `alarms[0].match.metrics[1]`; keys that are not plain names are quoted: `schedules["night shift"]`. */
export function formatPath(path: readonly (string | number)[]): string {
  return path
    .map((segment, index) => {
      if (typeof segment === 'number') return `[${segment}]`;
      if (/^[A-Za-z_$][\w$]*$/.test(segment)) return index === 0 ? segment : `.${segment}`;
      return `[${JSON.stringify(segment)}]`;
    })
    .join('');
}

// ---------------------------------------------------------------------------
// Parsing and validating a policy text
// ---------------------------------------------------------------------------

type YamlModule = typeof import('./yaml-module');
let yamlModule: YamlModule | undefined;

/** yaml, required on first use rather than imported: a cold start that never reads the policy skips it (dist/<fn>/yaml.js). */
function yaml(): YamlModule {
  return (yamlModule ??= require('./yaml-module') as YamlModule);
}

/** Parses and validates a policy text (YAML or JSON). `source` names it in errors. */
export function parsePolicy(text: string, source: string): Result<Policy, PolicyError> {
  const jsonIssue = jsonSyntaxIssue(text, source);
  if (jsonIssue !== null) return err(new PolicyError('policy_syntax', source, [jsonIssue]));
  return parseValidated(PolicySchema, text, source, 'policy', 'The policy is empty; it needs at least "version: 1"');
}

/**
 * Parses a YAML/JSON text and validates it against a zod schema; every problem
 * is located (line, column, path). Shared by the policy and the deploy file.
 */
export function parseValidated<S extends ZodType>(schema: S, text: string, source: string, label: string, emptyMessage: string): Result<output<S>, PolicyError> {
  const fail = (code: PolicyErrorCode, issues: [PolicyIssue, ...PolicyIssue[]]) => err(new PolicyError(code, source, issues, label));
  const { LineCounter, parseDocument } = yaml();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const position = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

  const syntaxIssues = doc.errors.map((error) => ({ path: [], ...position(error.pos[0]), message: `Syntax error: ${error.message}` }));
  if (isNonEmpty(syntaxIssues)) return fail('policy_syntax', syntaxIssues);
  if (doc.contents === null) return fail('policy_invalid', [{ path: [], line: null, column: null, message: emptyMessage }]);

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // e.g. an alias bomb (too many alias expansions).
    const message = error instanceof Error ? error.message : 'the document cannot be read';
    return fail('policy_syntax', [{ path: [], line: null, column: null, message: `Syntax error: ${message}` }]);
  }

  const parsed = schema.safeParse(data);
  if (parsed.success) return ok(parsed.data as output<S>);
  const issues = parsed.error.issues.flatMap((issue) => toPolicyIssues(issue, doc, position));
  return fail('policy_invalid', isNonEmpty(issues) ? issues : [{ path: [], line: null, column: null, message: parsed.error.message }]);
}

/** Deeper than any policy needs; the scanner stops there before anything is built. */
const MAX_POLICY_JSON_DEPTH = 32;

/**
 * A .json file or inline GUARD_POLICY is held to JSON's grammar: YAML (which reads the policy)
 * would accept a trailing comma or a comment that every JSON tool then rejects.
 */
function jsonSyntaxIssue(text: string, source: string): PolicyIssue | null {
  if (source !== INLINE_SOURCE && !/\.json$/i.test(source)) return null;
  const problem = checkJsonSyntax(text, MAX_POLICY_JSON_DEPTH);
  if (problem === null) return null;
  const before = text.slice(0, problem.position);
  const where = { line: before.split('\n').length, column: problem.position - before.lastIndexOf('\n') };
  if (problem.kind === 'too_deep') return { path: [], ...where, message: `Syntax error: JSON nested deeper than ${problem.maxDepth} levels` };
  const trailingComma = /,\s*$/.test(before) && /^[}\]]/.test(text.slice(problem.position)) ? ' (JSON allows no trailing comma)' : '';
  return { path: [], ...where, message: `Syntax error: JSON expects ${problem.expected} here${trailingComma}` };
}

type Position = (offset: number) => { line: number; column: number };

/** A zod issue as located policy issues (one per unknown key). */
function toPolicyIssues(issue: core.$ZodIssue, doc: Document, position: Position): PolicyIssue[] {
  const path = issue.path.map((segment) => (typeof segment === 'number' ? segment : String(segment)));
  const at = (where: PolicyPath, message: string, pointAtKey: boolean): PolicyIssue => {
    const offset = locate(doc, where, pointAtKey);
    return { path: where, ...(offset === null ? { line: null, column: null } : position(offset)), message };
  };

  if (issue.code === 'unrecognized_keys') {
    // The schema writes one line per key, in key order (schema.ts, unknownKeysMessage).
    const lines = issue.message.split('\n');
    return issue.keys.map((key, i) => at([...path, key], lines.length === issue.keys.length ? (lines[i] ?? issue.message) : issue.message, true));
  }
  if (issue.code === 'invalid_key') {
    return [at(path, issue.issues[0]?.message ?? issue.message, true)];
  }
  return [at(path, issue.message + yamlTypeHint(issue, doc, path), false)];
}

/** A plain YAML scalar such as `12e4` or `yes` is not read as a string, and `yes` is no boolean: say how to fix it. */
function yamlTypeHint(issue: core.$ZodIssue, doc: Document, path: PolicyPath): string {
  if (issue.code !== 'invalid_type') return '';
  if (issue.expected === 'boolean') return ' (use true or false)';
  if (issue.expected !== 'string') return '';
  const node = doc.getIn(path, true);
  return yaml().isScalar(node) && node.type === 'PLAIN' && typeof node.value !== 'string' ? ' (put it in quotes)' : '';
}

/**
 * The text offset of the node at `path`, or of its nearest existing ancestor
 * (a missing key is reported where its parent object starts).
 */
function locate(doc: Document, path: PolicyPath, pointAtKey: boolean): number | null {
  const { isMap, isScalar, isSeq } = yaml();
  let node = resolveAlias(doc, doc.contents);
  let offset = startOf(node);
  for (const [index, segment] of path.entries()) {
    const last = index === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) break;
      if (last && pointAtKey) return startOf(pair.key) ?? offset;
      node = resolveAlias(doc, pair.value) ?? pair.key;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = resolveAlias(doc, node.items[segment]);
      if (!node) break;
    } else {
      break;
    }
    offset = startOf(node) ?? offset;
  }
  return offset;
}

function resolveAlias(doc: Document, node: unknown): unknown {
  return yaml().isAlias(node) ? node.resolve(doc) : node;
}

function startOf(node: unknown): number | null {
  const range = (node as Node | null | undefined)?.range;
  return Array.isArray(range) ? range[0] : null;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

function isNonEmpty<T>(items: T[]): items is [T, ...T[]] {
  return items.length > 0;
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
  let text: string;
  if (where.kind === 'inline') {
    text = where.text;
  } else {
    try {
      text = (opts.readFile ?? readUtf8)(where.path);
    } catch (error) {
      return err(new PolicyError('policy_unreadable', where.path, [{ path: [], line: null, column: null, message: `Cannot read the file (${describeReadError(error)})` }]));
    }
  }

  const parsed = parsePolicy(text, where.source);
  if (!parsed.ok) return parsed;
  const policy = forced.value ? { ...parsed.value, dryRun: true } : parsed.value;
  // Frozen: the same object serves every invocation of a warm container.
  return ok(deepFreeze({ policy, source: where.source, forcedDryRun: forced.value }));
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

/**
 * loadPolicy, memoised per warm container by (GUARD_POLICY, GUARD_DRY_RUN,
 * defaultPath, baseDir): the file is read and validated once. A failure is cached
 * too, so every invocation fails the same way, fast, without acting. A changed
 * file is not re-read: on FunctionGraph a new policy means a new deployment or a
 * changed environment variable, which both start new containers.
 */
export function getPolicy(opts: LoadPolicyOptions): Result<LoadedPolicy, PolicyError> {
  const key = JSON.stringify([opts.env.GUARD_POLICY ?? null, opts.env.GUARD_DRY_RUN ?? null, opts.defaultPath, opts.baseDir ?? null]);
  let result = cache.get(key);
  if (!result) {
    result = loadPolicy(opts);
    cache.set(key, result);
  }
  return result;
}

/** Forgets every memoised policy (tests, and the local runner after an edit). */
export function clearPolicyCache(): void {
  cache.clear();
}
