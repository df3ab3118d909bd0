/**
 * node:net's isIP, required on first use. Loading node:net at the top of a module would
 * cost every cold start its evaluation (about 5 ms here), for a check that only some events
 * and settings need (docs/performance.md, "How the cold start stays lean").
 */
export function isIP(input: string): 0 | 4 | 6 {
  return (require('node:net') as typeof import('node:net')).isIP(input) as 0 | 4 | 6;
}
