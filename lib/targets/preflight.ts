import type { CallOptions, DcsClient, ShowInstanceResponse } from '../dcs';

export type Preflight = { ok: true; instance: ShowInstanceResponse } | { ok: false; reason: string };

/** kill-all exists from Redis 4.0 on. */
const MIN_VERSION: readonly [number, number] = [4, 0];

/**
 * Checks the instance can take a kill-all right now: RUNNING, Redis, >= 4.0.
 * Always asked fresh (never cached): state matters at the moment of the kill.
 */
export async function preflight(dcs: Pick<DcsClient, 'showInstance'>, instanceId: string, options?: CallOptions): Promise<Preflight> {
  const instance = await dcs.showInstance({ instanceId }, options);
  return checkInstance(instance);
}

export function checkInstance(instance: ShowInstanceResponse): Preflight {
  const id = instance.instance_id;
  if (instance.status !== 'RUNNING') {
    return { ok: false, reason: `Instance ${id} is ${instance.status}, not RUNNING.` };
  }
  if (String(instance.engine).toLowerCase() !== 'redis') {
    return { ok: false, reason: `Instance ${id} runs ${instance.engine}; only Redis has client sessions to kill.` };
  }
  if (!atLeast(instance.engine_version, MIN_VERSION)) {
    return { ok: false, reason: `Instance ${id} runs Redis ${instance.engine_version}; kill-all needs 4.0 or later.` };
  }
  return { ok: true, instance };
}

function atLeast(version: string | undefined, [major, minor]: readonly [number, number]): boolean {
  const match = /^(\d+)(?:\.(\d+))?/.exec(String(version ?? ''));
  if (!match) return false;
  const [maj, min] = [Number(match[1]), Number(match[2] ?? 0)];
  return maj > major || (maj === major && min >= minor);
}
