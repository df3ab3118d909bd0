/** Replaces a secret's every occurrence; short values are left alone (they would match by chance). */
const MIN_SECRET_LENGTH = 8;
const MASK = '***';

/**
 * Deep-copies a JSON value with every known secret string masked. The code
 * never puts a secret in a record on purpose: this is the net under that rule.
 */
export function redact<T>(value: T, secrets: readonly string[]): T {
  const live = secrets.filter((s) => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH);
  if (live.length === 0) return value;
  return JSON.parse(JSON.stringify(value), (_key, v: unknown) =>
    typeof v === 'string' ? maskAll(v, live) : v,
  ) as T;
}

function maskAll(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join(MASK);
  }
  return out;
}
