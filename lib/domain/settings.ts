/**
 * One reader for the settings that are switches and numbers (environment
 * variables). The function, the deploy checks and the CLI read them the same
 * way: blank means the default; case and surrounding spaces do not matter;
 * anything else — "yes", "1", "3e9", "-5" — is an error naming the variable,
 * never a silent default (a mistyped safety switch must not let kills through).
 */
import { err, ok, type Result } from './types';

const blank = (raw: string | undefined): boolean => raw === undefined || raw.trim() === '';

/** "true" or "false" (any case, spaces ignored); blank: `fallback`. */
export function readBooleanSetting(name: string, raw: string | undefined, fallback = false): Result<boolean, string> {
  if (blank(raw)) return ok(fallback);
  const value = raw!.trim().toLowerCase();
  if (value === 'true' || value === 'false') return ok(value === 'true');
  return err(`${name}: must be "true" or "false"`);
}

export interface IntegerBounds {
  min: number;
  max: number;
  fallback: number;
  /** For the message: "milliseconds", "seconds". */
  unit: string;
}

/** A whole number in [min, max], written in plain digits; blank: the fallback. */
export function readIntegerSetting(name: string, raw: string | undefined, bounds: IntegerBounds): Result<number, string> {
  if (blank(raw)) return ok(bounds.fallback);
  const value = raw!.trim();
  if (!/^\d+$/.test(value) || Number(value) < bounds.min || Number(value) > bounds.max) {
    return err(`${name}: must be a whole number of ${bounds.unit} between ${bounds.min} and ${bounds.max}`);
  }
  return ok(Number(value));
}
