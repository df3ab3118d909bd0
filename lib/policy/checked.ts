/**
 * The build-checked policy (`policy.checked.json` beside `policy.yaml`): the
 * build validates the packaged policy with the full schema and writes the
 * result, so that a cold start reads JSON instead of loading zod and yaml.
 *
 * It is trusted only when everything that made it still holds: the same file
 * format, the same build (an id esbuild writes into every bundle, so only the
 * code that validated it may skip validating), the same syntax, the exact text
 * of the policy file as it is now (an edit in place, e.g. in FunctionGraph's
 * console, makes it stale), and its digest (a hand edit of the checked file
 * itself). Anything else and the policy is validated in full, as without it.
 * Validation depends on nothing but the text, so the checked output is what
 * that validation would return (test/policy/checked.test.ts).
 */
import { isRecord } from '../domain/json';
import type { PolicySyntax } from './validate';
import type { Policy } from './schema';

declare const __GUARD_BUILD_ID__: string | undefined;

/** This build's id (esbuild `define`, esbuild.config.mjs); "source" when run from the TypeScript sources. */
export const BUILD_ID: string = typeof __GUARD_BUILD_ID__ === 'string' ? __GUARD_BUILD_ID__ : 'source';

export const CHECKED_FORMAT = 1;

/** `policy.yaml` → `policy.checked.json` (beside it). */
export function checkedPolicyPath(policyPath: string): string {
  return `${policyPath.replace(/\.(ya?ml|json)$/i, '')}.checked.json`;
}

interface CheckedPolicyFile {
  format: number;
  build: string;
  syntax: PolicySyntax;
  source: string;
  digest: string;
  policy: Policy;
}

/** The checked file's text for a policy text and what validating it returned (`build`: another build's, in tests). */
export function checkedPolicyText(source: string, syntax: PolicySyntax, policy: Policy, build = BUILD_ID): string {
  const file: CheckedPolicyFile = { format: CHECKED_FORMAT, build, syntax, source, digest: digest(build, syntax, source, policy), policy };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** The validated policy the checked text holds, or null when it is not to be trusted for this `source` text. */
export function trustedCheckedPolicy(checkedText: string, source: string, syntax: PolicySyntax): Policy | null {
  let file: Partial<Record<keyof CheckedPolicyFile, unknown>>;
  try {
    file = JSON.parse(checkedText);
  } catch {
    return null;
  }
  if (!isRecord(file)) return null;
  if (file.format !== CHECKED_FORMAT || file.build !== BUILD_ID || file.syntax !== syntax || file.source !== source) return null;
  if (!isRecord(file.policy)) return null;
  return file.digest === digest(BUILD_ID, syntax, source, file.policy as Policy) ? (file.policy as Policy) : null;
}

/**
 * cyrb53 (a 53-bit string hash) over everything the file vouches for. Not a
 * defence against an attacker (who could edit index.js as easily): it catches
 * a checked file edited by hand, without loading node:crypto on a cold start.
 */
function digest(build: string, syntax: string, source: string, policy: Policy): string {
  const text = `${CHECKED_FORMAT}\n${build}\n${syntax}\n${JSON.stringify(source)}\n${JSON.stringify(policy)}`;
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}
