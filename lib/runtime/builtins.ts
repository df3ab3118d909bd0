/**
 * Node built-ins that only some events need, required on first use: node:crypto at the top
 * of a module costs every cold start its evaluation (it pulls in node:stream too), though a
 * rejected event never hashes, signs or draws an id (docs/performance.md, "How the cold start
 * stays lean"). Node caches the module, so later calls cost a map lookup.
 */
export const nodeCrypto = (): typeof import('node:crypto') => require('node:crypto') as typeof import('node:crypto');
