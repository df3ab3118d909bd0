/**
 * The full validation of a policy text: YAML or JSON syntax, the zod schema,
 * and every problem located (line, column, path). It needs zod's policy
 * schema and yaml, so it is loaded on demand (validate-module.ts, built as
 * dist/<fn>/policy-schema.js); it returns plain data, never a class instance
 * (load.ts turns a failure into its PolicyError).
 */
import type { Document, Node } from 'yaml';
import type { core, output, ZodType } from 'zod';
import { err, ok, type Result } from '../domain/types';
import { checkJsonSyntax } from '../events/json-syntax';
import type { PolicyErrorCode, PolicyFailure, PolicyIssue, PolicyPath } from './error';
import { PolicySchema, type Policy } from './schema';
import { MAX_POLICY_JSON_DEPTH } from './vocabulary';
import { onFirstUse } from '../runtime/lazy';

/** How a text is read: YAML, or JSON held to JSON's grammar (a .json file, inline GUARD_POLICY). */
export type PolicySyntax = 'yaml' | 'json';

/** yaml, required on first use rather than imported: an inline JSON policy that is valid never needs it (dist/<fn>/yaml.js). */
const yaml = /* @__PURE__ */ onFirstUse(() => require('./yaml-module') as typeof import('./yaml-module'));

export const EMPTY_POLICY = 'The policy is empty; it needs at least "version: 1"';

/** Validates a policy text: the same answer for the same text and syntax, whatever the environment or the time. */
export function validatePolicyText(text: string, syntax: PolicySyntax): Result<Policy, PolicyFailure> {
  if (syntax === 'json') {
    const jsonIssue = jsonSyntaxIssue(text);
    if (jsonIssue !== null) return err({ code: 'policy_syntax', issues: [jsonIssue] });
  }
  return validateDocument(PolicySchema, text, EMPTY_POLICY);
}

/** The schema alone, on data already read (a JSON policy parsed without yaml); null when invalid (then validatePolicyText locates why). */
export function validatePolicyData(data: unknown): Policy | null {
  const parsed = PolicySchema.safeParse(data);
  return parsed.success ? parsed.data : null;
}

/**
 * Parses a YAML/JSON text and validates it against a zod schema; every problem
 * is located (line, column, path). Shared by the policy and the deploy file.
 */
export function validateDocument<S extends ZodType>(schema: S, text: string, emptyMessage: string): Result<output<S>, PolicyFailure> {
  const fail = (code: PolicyErrorCode, issues: [PolicyIssue, ...PolicyIssue[]]) => err({ code, issues });
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

/**
 * A .json file or inline GUARD_POLICY is held to JSON's grammar: YAML (which reads the policy)
 * would accept a trailing comma or a comment that every JSON tool then rejects.
 */
function jsonSyntaxIssue(text: string): PolicyIssue | null {
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

function isNonEmpty<T>(items: T[]): items is [T, ...T[]] {
  return items.length > 0;
}
