/**
 * The one secret masker: audit records, log lines and error texts all mask through it.
 * Values shorter than MIN_SECRET_LENGTH are left alone (they would match by chance); no
 * credential the function holds is that short (AK 20, SK 40, DCS passwords 8 or more).
 */
export const MIN_SECRET_LENGTH = 6;
export const MASK = '***';

/**
 * Deep-copies a JSON value with every known secret string masked. The code
 * never puts a secret in a record on purpose: this is the net under that rule.
 */
export function redact<T>(value: T, secrets: readonly string[]): T {
  const live = maskable(secrets);
  if (live.length === 0) return value;
  return JSON.parse(JSON.stringify(value), (_key, v: unknown) =>
    typeof v === 'string' ? maskAll(v, live) : v,
  ) as T;
}

/** True when the text holds one of the secrets long enough to be masked. */
export function containsAny(text: string, secrets: readonly string[]): boolean {
  return maskable(secrets).some((secret) => text.includes(secret));
}

function maskable(secrets: readonly string[]): string[] {
  return secrets.filter((s) => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH);
}

/** `text` with every occurrence of each secret long enough to mask replaced by MASK. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  return maskAll(text, maskable(secrets));
}

function maskAll(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join(MASK);
  }
  return out;
}
