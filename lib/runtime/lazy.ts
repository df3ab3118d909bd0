/**
 * Code that only some events need, required on its first use rather than imported: a cold
 * start compiles and evaluates only what its event needs (docs/performance.md, "How the
 * cold start stays lean"). Our own lazy modules are the files beside index.js in a function
 * bundle (esbuild.config.mjs, LAZY_FILES).
 */

/**
 * `load()` on the first call, its value from then on (a load that throws is tried again next time).
 * Module-level calls are annotated `@__PURE__`: esbuild then knows the call has no side effects,
 * and a bundle that uses nothing else of that module leaves the module out.
 */
export function onFirstUse<T>(load: () => T): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= load());
}

/**
 * node:crypto at the top of a module costs every cold start its evaluation (it pulls in
 * node:stream too), though a rejected event never hashes, signs or draws an id.
 */
export const nodeCrypto = /* @__PURE__ */ onFirstUse(() => require('node:crypto') as typeof import('node:crypto'));
