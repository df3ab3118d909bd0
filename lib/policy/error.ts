/**
 * Why a policy could not be loaded: a typed value with every problem located.
 * Built only in index.js (lib/policy/load.ts): the lazily loaded validator
 * returns plain issues, so there is one PolicyError class per bundle and
 * `instanceof` holds.
 */
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

/** What a failed validation says, as plain data (it crosses from the lazily loaded validator). */
export interface PolicyFailure {
  code: PolicyErrorCode;
  issues: [PolicyIssue, ...PolicyIssue[]];
}

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
    return formatFailure(this.label, this.source, this.issues);
  }

  /** One line per problem. */
  formatAll(): string[] {
    return this.issues.map((issue) => formatIssue(this.label, this.source, issue));
  }

  toString(): string {
    return this.format();
  }
}

/** PolicyError.format, for code that holds a failure but no PolicyError (the build). */
export function formatFailure(label: string, source: string, issues: readonly [PolicyIssue, ...PolicyIssue[]]): string {
  const more = issues.length - 1;
  return formatIssue(label, source, issues[0]) + (more > 0 ? ` (and ${more} more problem${more > 1 ? 's' : ''})` : '');
}

function formatIssue(label: string, source: string, issue: PolicyIssue): string {
  const place = issue.line === null ? '' : `:${issue.line}` + (issue.column === null ? '' : `:${issue.column}`);
  const at = issue.path.length > 0 ? ` at ${formatPath(issue.path)}` : '';
  return `${label} ${source}${place}${at}: ${issue.message}`;
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
