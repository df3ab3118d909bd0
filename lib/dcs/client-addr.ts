/**
 * Client addresses as CLIENT LIST (and so listClients) writes them: "10.0.0.7:51234" for IPv4,
 * "[2001:db8::7]:51234" for IPv6 (older Redis wrote "2001:db8::7:51234"). hangUpClients takes
 * the same strings back, so an address is checked here before it is sent: anything that is not
 * an IP and a port never reaches a kill request.
 */
import { isIP } from 'node:net';

export interface ClientAddr {
  /** The IP without brackets, as net.isIP accepts it. */
  ip: string;
  family: 4 | 6;
  port: number;
}

/** Longest valid form: "[" + 45-character IPv6 (v4-mapped) + "]:" + 5 digits. */
const MAX_ADDR_LENGTH = 54;

/** The IP and port of a listed address; null when it is not one (a unix socket, an empty field, garbage). */
export function parseClientAddr(addr: unknown): ClientAddr | null {
  if (typeof addr !== 'string' || addr.length < 3 || addr.length > MAX_ADDR_LENGTH) return null;
  const colon = addr.lastIndexOf(':');
  if (colon <= 0) return null;
  const portText = addr.slice(colon + 1);
  if (!/^\d{1,5}$/.test(portText)) return null;
  const port = Number(portText);
  if (port > 65535) return null;
  let host = addr.slice(0, colon);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const family = isIP(host);
  if (family === 0) return null;
  return { ip: host, family: family as 4 | 6, port };
}

export function isClientAddr(addr: unknown): addr is string {
  return parseClientAddr(addr) !== null;
}
