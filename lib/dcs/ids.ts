/**
 * Id validators. sdk-core pastes path parameters into the URL unencoded, so an
 * instance id of "../../v1/other" would reach another API: every id is checked
 * here before a request is built, and a malformed one never leaves the process.
 */
import { HEX32, UUID, safeToken } from '../domain/ids';
import { err, ok, type Result } from '../domain/types';
import { DcsError, invalidRequest } from './errors';

export type IdKind = 'instance' | 'node' | 'job' | 'project';

/**
 * Node and job ids are 32-hex or UUID-like in practice; we accept any 8-64 character safe token
 * so a format change upstream does not break us, while '/', '.', '%', '?', '#' and whitespace
 * can never get through.
 */
const NODE_OR_JOB_ID = safeToken(8, 64);

interface IdRule {
  pattern: RegExp;
  expected: string;
}

const RULES: Record<IdKind, IdRule> = {
  instance: { pattern: UUID, expected: 'a UUID' },
  project: { pattern: HEX32, expected: '32 hexadecimal characters' },
  node: { pattern: NODE_OR_JOB_ID, expected: '8-64 letters, digits, "-" or "_" (32-hex or UUID)' },
  job: { pattern: NODE_OR_JOB_ID, expected: '8-64 letters, digits, "-" or "_" (32-hex or UUID)' },
};

export function isValidId(kind: IdKind, value: unknown): value is string {
  return typeof value === 'string' && RULES[kind].pattern.test(value);
}

/** The value itself is not echoed: it may be anything, including something that must not be logged. */
export function validateId(kind: IdKind, value: unknown, field: string = `${kind}Id`): Result<string, DcsError> {
  if (isValidId(kind, value)) return ok(value);
  const got = typeof value === 'string' ? `a ${value.length}-character string that does not match` : `a value of type ${value === null ? 'null' : typeof value}`;
  return err(invalidRequest(`invalid_${kind}_id`, `${field} must be ${RULES[kind].expected} (got ${got})`));
}

function assertId(kind: IdKind, value: unknown, field?: string): string {
  const result = validateId(kind, value, field);
  if (!result.ok) throw result.error;
  return result.value;
}

export const assertInstanceId = (value: unknown, field = 'instanceId'): string => assertId('instance', value, field);
export const assertNodeId = (value: unknown, field = 'nodeId'): string => assertId('node', value, field);
export const assertJobId = (value: unknown, field = 'jobId'): string => assertId('job', value, field);
