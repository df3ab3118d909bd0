/**
 * A tiny glob: `*` is any run of characters (including none), `?` exactly one.
 * Case-sensitive and anchored (the whole value must match). Nothing else is
 * special, so alarm names with dots, brackets or slashes are taken literally.
 */

const compiled = new Map<string, RegExp>();

/** The RegExp of a glob, compiled once per pattern (a policy has few patterns, so the cache stays small). */
export function compileGlob(pattern: string): RegExp {
  let regex = compiled.get(pattern);
  if (!regex) {
    const source = Array.from(pattern, (char) => {
      if (char === '*') return '.*';
      if (char === '?') return '.';
      return char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }).join('');
    // `s`: a wildcard also spans line breaks; `u`: `?` is one character, not one UTF-16 half.
    regex = new RegExp(`^${source}$`, 'su');
    compiled.set(pattern, regex);
  }
  return regex;
}

export function globMatch(pattern: string, value: string): boolean {
  return compileGlob(pattern).test(value);
}

/** True when any of the patterns matches the value. */
export function matchesAny(patterns: readonly string[], value: string): boolean {
  return patterns.some((pattern) => globMatch(pattern, value));
}
