/** Reads the event a command is given (--event FILE, or "-" for stdin) as JSON. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { UsageError } from './args';

/** Parsed JSON of the file; a missing, unreadable or non-JSON file is a usage error (exit 2). */
export function readEventFile(file: string | undefined, cwd: string, readStdin: () => string = () => readFileSync(0, 'utf8')): unknown {
  if (file === undefined) throw new UsageError('--event FILE is required (a JSON event, e.g. dev/runner/samples/node-alarm.smn-trigger.json; "-" reads stdin)');
  let text: string;
  try {
    text = file === '-' ? readStdin() : readFileSync(path.resolve(cwd, file), 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new UsageError(`cannot read the event file ${file}: ${code === 'ENOENT' ? 'no such file' : code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new UsageError(`the event file ${file} is not JSON: ${(e as Error).message}`);
  }
}

/** Which function an event is for: timer events go to cron, everything else to alarm. */
export function functionForEvent(event: unknown): 'alarm' | 'cron' {
  if (typeof event !== 'object' || event === null) return 'alarm';
  const e = event as Record<string, unknown>;
  return typeof e.trigger_type === 'string' && e.trigger_type.toUpperCase() === 'TIMER' ? 'cron' : 'alarm';
}
