/**
 * The full policy validation (zod's policy schema, yaml for locations): what
 * load.ts requires when a policy is not build-checked or is invalid. The
 * function bundles build it as a file of its own (dist/<fn>/policy-schema.js,
 * esbuild.config.mjs), so a cold start that reads a build-checked policy never
 * compiles nor evaluates zod's classic API or the schema. The build and the
 * deploy package call checkPolicyText of that same file to write
 * policy.checked.json. Everything it returns is plain data.
 */
import { ok, type Result } from '../domain/types';
import { BUILD_ID, checkedPolicyText } from './checked';
import type { PolicyFailure } from './error';
import { validatePolicyText, type PolicySyntax } from './validate';

export { validateDocument, validatePolicyData, validatePolicyText, type PolicySyntax } from './validate';
export { formatFailure } from './error';
export { BUILD_ID, checkedPolicyPath } from './checked';

/** policy.checked.json's text for a policy text, or why the text is not a valid policy. */
export function checkPolicyText(text: string, syntax: PolicySyntax): Result<{ build: string; checked: string }, PolicyFailure> {
  const validated = validatePolicyText(text, syntax);
  return validated.ok ? ok({ build: BUILD_ID, checked: checkedPolicyText(text, syntax, validated.value) }) : validated;
}
