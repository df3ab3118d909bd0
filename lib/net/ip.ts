/**
 * node:net's isIP, required on first use. Loading node:net at the top of a module would
 * cost every cold start its evaluation (about 5 ms here), for a check that only some events
 * and settings need (docs/performance.md, "How the cold start stays lean").
 */
/**
 * A loopback host as a URL spells it: localhost, [::1], or an IPv4 address in 127.0.0.0/8 —
 * an address, not a name that starts like one (http://127.attacker.example is not).
 */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(hostname);
}

export function isIP(input: string): 0 | 4 | 6 {
  return (require('node:net') as typeof import('node:net')).isIP(input) as 0 | 4 | 6;
}
