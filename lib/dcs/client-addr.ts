/**
 * Client addresses as CLIENT LIST (and so listClients) writes them: "10.0.0.7:51234" for IPv4,
 * "[2001:db8::7]:51234" for IPv6 (older Redis wrote "2001:db8::7:51234"). hangUpClients takes
 * the same strings back, so an address is checked here before it is sent: anything that is not
 * an IP and a port never reaches a kill request.
 */
import { isIP } from '../net/ip';

export interface ClientAddr {
  /** The IP without brackets, as net.isIP accepts it. */
  ip: string;
  family: 4 | 6;
  port: number;
}

/** Longest valid form: "[" + 45-character IPv6 (v4-mapped) + "]:" + 5 digits. */
const MAX_ADDR_LENGTH = 54;

/**
 * The IP and port of a listed address; null when it is not one (a unix socket, an empty field,
 * garbage). Hand-parsed: it runs once per listed session (10,000 on a big node).
 */
export function parseClientAddr(addr: unknown): ClientAddr | null {
  if (typeof addr !== 'string' || addr.length < 3 || addr.length > MAX_ADDR_LENGTH) return null;
  const colon = addr.lastIndexOf(':');
  if (colon <= 0 || colon < addr.length - 6 || colon === addr.length - 1) return null;
  let port = 0;
  for (let i = colon + 1; i < addr.length; i++) {
    const code = addr.charCodeAt(i);
    if (code < 48 || code > 57) return null;
    port = port * 10 + (code - 48);
  }
  if (port > 65535) return null;
  let host = addr.slice(0, colon);
  if (ipv4Bytes(host) !== null) return { ip: host, family: 4, port };
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return isIP(host) === 6 ? { ip: host, family: 6, port } : null;
}

/**
 * The common case, fast: "a.b.c.d" with decimal parts 0-255 and no leading zeros (what
 * isIP accepts). Anything else (IPv6, garbage) is left to the general path.
 */
export function ipv4Bytes(text: string): Uint8Array | null {
  const bytes = new Uint8Array(4);
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : 46; // a final '.'
    if (code >= 48 && code <= 57) {
      if (digits > 0 && value === 0) return null; // leading zero
      value = value * 10 + (code - 48);
      digits++;
      if (value > 255) return null;
    } else if (code === 46 && digits > 0 && part < 4) {
      bytes[part++] = value;
      value = 0;
      digits = 0;
    } else {
      return null;
    }
  }
  return part === 4 ? bytes : null;
}


export function isClientAddr(addr: unknown): addr is string {
  return parseClientAddr(addr) !== null;
}
