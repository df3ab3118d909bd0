import type { Context } from './types';

/**
 * Reads one value from the FunctionGraph context. Every method is optional,
 * and one that is missing or throws reads as undefined rather than failing
 * the invocation.
 */
export function fromContext<T>(context: Context | undefined, read: (c: Context) => T | undefined): T | undefined {
  if (!context) return undefined;
  try {
    return read(context);
  } catch {
    return undefined;
  }
}
