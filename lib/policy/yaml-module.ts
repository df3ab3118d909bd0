/**
 * The parts of yaml (eemeli) the policy loader uses. load.ts requires this
 * module when it first reads a policy; the function bundles build it as a file
 * of its own (dist/<fn>/yaml.js, esbuild.config.mjs), so an invocation rejected
 * before it needs the policy never parses nor evaluates yaml.
 */
export { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
