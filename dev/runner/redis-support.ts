/**
 * Real Redis nodes behind the emulator need redis-server on PATH, and an emulator that supports
 * them (startEmulator({ redisNodes: true }) and emulator.nodeAddress()). Both are checked,
 * so the runner falls back to simulated sessions with a clear reason instead of failing.
 */
import { accessSync, constants } from 'node:fs';
import * as path from 'node:path';

/** Like `command -v name`: the first executable file of that name on PATH, or null. */
export function findOnPath(name: string, pathVar: string | undefined): string | null {
  for (const dir of (pathVar ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export interface NodeAddressing {
  nodeAddress(nodeId: string): { host: string; port: number } | null;
}

/** The emulator exposes where a node's real redis-server listens (only with redisNodes). */
export function hasNodeAddresses(emulator: object): emulator is NodeAddressing {
  return typeof (emulator as Partial<NodeAddressing>).nodeAddress === 'function';
}
