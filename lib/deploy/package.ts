/**
 * The code deploy uploads: dist/<fn>/ (index.js and the files it loads on
 * first need) plus the chosen policy as policy.yaml and its build-checked form
 * (policy.checked.json, written by that bundle's own validator, so a cold start
 * need not load zod and yaml: lib/policy/checked.ts), zipped deterministically
 * (sorted names, fixed timestamps) so the same build and policy always give
 * the same bytes, and the hash alone tells whether the code changed.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import { configProblem } from './errors';
import { MAX_ZIP_BYTES } from './fg-rules';

export interface CodePackage {
  zip: Buffer;
  /** SHA-512 hex of the zip: what FunctionGraph answers as the function's `digest`. */
  sha512: string;
  files: string[];
}

/** 1980-01-01, the zip format's epoch: no build time in the bytes. */
const FIXED_MTIME = new Date('1980-01-01T00:00:00');

const CHECKED_POLICY = 'policy.checked.json';

/** policy.checked.json for the policy text, by the validator of the bundle that will read it (the build id it trusts is its own). */
function checkedPolicy(distDir: string, policyText: string): string {
  const file = path.resolve(distDir, 'policy-schema.js');
  if (!existsSync(file)) throw configProblem('package', `${file} does not exist`, 'build first: npm run build');
  const validator = require(file) as typeof import('../policy/validate-module');
  const checked = validator.checkPolicyText(policyText, 'yaml');
  if (!checked.ok) throw configProblem('package', validator.formatFailure('policy', 'policy.yaml', checked.error.issues));
  return checked.value.checked;
}

export function packageFunction(distDir: string, policyText: string): CodePackage {
  if (!existsSync(path.join(distDir, 'index.js'))) throw configProblem('package', `${distDir}/index.js does not exist`, 'build first: npm run build');
  const names = readdirSync(distDir).filter((f) => f.endsWith('.js')).sort();
  const files: Zippable = {};
  for (const name of names) files[name] = [readFileSync(path.join(distDir, name)), { mtime: FIXED_MTIME }];
  files['policy.yaml'] = [Buffer.from(policyText, 'utf8'), { mtime: FIXED_MTIME }];
  files[CHECKED_POLICY] = [Buffer.from(checkedPolicy(distDir, policyText), 'utf8'), { mtime: FIXED_MTIME }];
  const zip = Buffer.from(zipSync(files, { level: 9 }));
  if (zip.length > MAX_ZIP_BYTES) throw configProblem('package', `the zip of ${distDir} is ${zip.length} bytes; FunctionGraph takes at most ${MAX_ZIP_BYTES} through the API`);
  return { zip, sha512: createHash('sha512').update(zip).digest('hex'), files: [...names, CHECKED_POLICY, 'policy.yaml'].sort() };
}
