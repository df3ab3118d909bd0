/**
 * The shapes of Huawei Cloud identifiers, defined once. Modules state their own rules on top
 * of these (a policy wants lower-case ids, node and job ids have length bounds), so the
 * shapes cannot drift apart. No imports: every bundle can afford this module.
 */

/** 8-4-4-4-12 hex digits, lower case: build a RegExp from it (add the `i` flag to accept any case). */
export const UUID_SOURCE = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** A UUID in any case (DCS instance ids as events may spell them). */
export const UUID = new RegExp(`^${UUID_SOURCE}$`, 'i');

/**
 * One instance, one spelling: the canonical form of a DCS instance id (lower
 * case, as the API and the policy write it). Applied once, where an id enters
 * from outside; policy match, guard keys, API paths and audit use only this form.
 */
export const canonicalInstanceId = (id: string): string => id.toLowerCase();

/** 32 hex digits (project ids), for building a RegExp. */
export const HEX32_SOURCE = '[0-9a-fA-F]{32}';

/** 32 hex digits in any case (project ids). */
export const HEX32 = new RegExp(`^${HEX32_SOURCE}$`);

/**
 * Huawei Cloud region ids: two letters, lower-case words, a number (cn-north-4, ap-southeast-1,
 * eu-west-101, sa-brazil-1, ae-ad-1). Never '/', '.', upper case or spaces: a region goes into
 * host names (dcs.<region>.myhuaweicloud.com) and must not be able to change them.
 */
export const REGION_SOURCE = '[a-z]{2}(?:-[a-z]+)+-\\d+';
export const REGION = new RegExp(`^${REGION_SOURCE}$`);

/**
 * The characters of a token that can go into a URL path or a key unencoded: letters, digits,
 * '-' and '_' (so never '/', '.', '%', '?', '#' or whitespace). For use inside a RegExp.
 */
export const SAFE_TOKEN_CHARS = '[0-9A-Za-z_-]';

/** A token of `min`..`max` SAFE_TOKEN_CHARS starting with a letter or digit (so never an option-like "-x"). */
export function safeToken(min: number, max: number): RegExp {
  return new RegExp(`^[0-9A-Za-z]${SAFE_TOKEN_CHARS}{${min - 1},${max - 1}}$`);
}
