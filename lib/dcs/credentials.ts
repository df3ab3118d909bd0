/**
 * AK/SK(/security token) for signing DCS calls, and where they come from.
 *
 * The values live in JS private fields: JSON.stringify, util.inspect,
 * console.log, object spread and structured logging see only a redacted view,
 * so an accidental log of a config object leaks nothing.
 */
import { err, ok, type Result } from '../domain/types';
import { fromContext } from '../fg/context';
import type { Context } from '../fg/types';

/** Where the credentials were found, in order of preference. */
export type CredentialSource = 'context' | 'HUAWEICLOUD_SDK' | 'CLOUD_SDK';

const REDACTED = '***';

export class DcsCredentials {
  readonly #accessKey: string;
  readonly #secretKey: string;
  readonly #securityToken: string | null;
  readonly source: CredentialSource;

  constructor(accessKey: string, secretKey: string, securityToken: string | null, source: CredentialSource) {
    this.#accessKey = accessKey;
    this.#secretKey = secretKey;
    this.#securityToken = securityToken;
    this.source = source;
  }

  accessKey(): string {
    return this.#accessKey;
  }

  secretKey(): string {
    return this.#secretKey;
  }

  securityToken(): string | null {
    return this.#securityToken;
  }

  /** Every secret value, for masking outside text (error messages) before it is shown. */
  secretValues(): string[] {
    return [this.#accessKey, this.#secretKey, ...(this.#securityToken ? [this.#securityToken] : [])];
  }

  toJSON(): Record<string, string | null> {
    return {
      source: this.source,
      accessKey: REDACTED,
      secretKey: REDACTED,
      securityToken: this.#securityToken ? REDACTED : null,
    };
  }

  toString(): string {
    return `DcsCredentials(${this.source}, redacted)`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

export type Env = Record<string, string | undefined>;

/** The credentials, or the names of the missing settings. */
export type CredentialsResult = Result<DcsCredentials, string[]>;

const present = (value: string | undefined | null): string | null => {
  const trimmed = typeof value === 'string' ? value.trim() : '';
  return trimmed === '' ? null : trimmed;
};

/** The agency's keys as the context gives them (raw: not yet trimmed). */
export interface AgencyKeys {
  accessKey: string | undefined;
  secretKey: string | undefined;
  securityToken: string | undefined;
}

/** Context methods are optional, and a misbehaving one must not crash config resolution. */
export function readAgencyKeys(context: Context | undefined): AgencyKeys {
  return {
    accessKey: fromContext(context, (c) => c.getSecurityAccessKey?.()),
    secretKey: fromContext(context, (c) => c.getSecuritySecretKey?.()),
    securityToken: fromContext(context, (c) => c.getSecurityToken?.()),
  };
}

/** An env pair: both or neither. Half a pair is reported, not silently skipped. */
function fromEnvPair(env: Env, prefix: 'HUAWEICLOUD_SDK' | 'CLOUD_SDK', tokenVar: string | null): CredentialsResult | null {
  const ak = present(env[`${prefix}_AK`]);
  const sk = present(env[`${prefix}_SK`]);
  if (ak === null && sk === null) return null;
  if (ak === null || sk === null) return err([ak === null ? `${prefix}_AK` : `${prefix}_SK`]);
  const token = tokenVar === null ? null : present(env[tokenVar]);
  return ok(new DcsCredentials(ak, sk, token, prefix));
}

/**
 * The FunctionGraph agency's temporary credentials first (they rotate and need
 * no secret in the function's settings), then HUAWEICLOUD_SDK_AK/SK(/SECURITY_TOKEN),
 * then CLOUD_SDK_AK/SK.
 */
export function resolveCredentials(env: Env, context?: Context): CredentialsResult {
  return credentialsOf(env, readAgencyKeys(context));
}

export function credentialsOf(env: Env, agency: AgencyKeys): CredentialsResult {
  const ak = present(agency.accessKey);
  const sk = present(agency.secretKey);
  if (ak !== null && sk !== null) return ok(new DcsCredentials(ak, sk, present(agency.securityToken), 'context'));
  return (
    fromEnvPair(env, 'HUAWEICLOUD_SDK', 'HUAWEICLOUD_SDK_SECURITY_TOKEN') ??
    fromEnvPair(env, 'CLOUD_SDK', null) ??
    err(['credentials (a FunctionGraph agency, HUAWEICLOUD_SDK_AK + HUAWEICLOUD_SDK_SK, or CLOUD_SDK_AK + CLOUD_SDK_SK)'])
  );
}
