/** Small HTTP helpers shared by the DCS routes and the control API (server plumbing: ../http). */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';

export type JsonParse = { ok: true; value: unknown } | { ok: false };

/** An empty body parses to null: the routes decide whether a body is required. */
export function parseJson(raw: Buffer): JsonParse {
  if (raw.length === 0) return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(raw.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

export function newRequestId(): string {
  return randomBytes(16).toString('hex');
}

export function sendJson(res: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
  // 204, and answers without a body (Cloud Eye's 201 to metric data).
  if (status === 204 || body === undefined) {
    res.writeHead(status, { ...(status === 204 ? {} : { 'Content-Length': 0 }), ...extraHeaders });
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json;charset=UTF-8',
    'Content-Length': Buffer.byteLength(text),
    ...extraHeaders,
  });
  res.end(text);
}

/** 127.0.0.0/8 and ::1, also in their IPv4-mapped form. */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4 === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}
