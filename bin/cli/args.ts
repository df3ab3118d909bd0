/** Command-line parsing on node:util parseArgs: strict, and every mistake is a UsageError (exit 2). */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'usage';
}

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** Parses argv for one command; `-h/--help` is always accepted. */
export function parseCommandArgs(argv: string[], options: Options, positionals: { max: number }): Parsed {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: true });
  } catch (e) {
    // parseArgs' messages name the flag, e.g. "Unknown option '--jsn'".
    throw new UsageError((e as Error).message);
  }
  const values = parsed.values as Parsed['values'];
  if (!values.help && parsed.positionals.length > positionals.max) {
    throw new UsageError(`unexpected argument${parsed.positionals.length - positionals.max > 1 ? 's' : ''}: ${parsed.positionals.slice(positionals.max).join(' ')}`);
  }
  return { values, positionals: parsed.positionals };
}

/** A port number: 0 (any free port) to 65535. */
export function portValue(text: string | boolean | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  if (typeof text !== 'string' || !/^\d+$/.test(text) || Number(text) > 65535) throw new UsageError(`${flag} needs a port number (0-65535), got "${String(text)}"`);
  return Number(text);
}

export function stringValue(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
