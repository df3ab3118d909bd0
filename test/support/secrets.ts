import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

/** Agency credentials the tests hand to the functions through the FunctionGraph context. */
export const CONTEXT_CREDENTIALS = {
  ak: 'CTXACCESSKEY7Q2W9E4R',
  sk: 'ctx-secret-key-Zq8pL3vN6mT1xR5cY0bH2jK4',
  token: 'ctx-security-token-gQ7tM3zP9wX1cV5bN8kL2jH6fD4sA0eR',
};

/** Values no output line may ever contain: every test credential and every SMN signature we feed in. */
export function forbiddenValues(): Array<{ label: string; value: string }> {
  const values = [
    { label: 'context AK', value: CONTEXT_CREDENTIALS.ak },
    { label: 'context SK', value: CONTEXT_CREDENTIALS.sk },
    { label: 'context token', value: CONTEXT_CREDENTIALS.token },
    ...seedCredentials(),
    ...realSignatures(),
  ];
  return values.filter((v) => v.value.length >= 8);
}

function seedCredentials(): Array<{ label: string; value: string }> {
  const file = path.join(ROOT, 'dev', 'emulator', 'seeds', 'demo.json');
  if (!fs.existsSync(file)) return [];
  const found: Array<{ label: string; value: string }> = [];
  // Walk the seed: any {ak, sk} pair is a credential, wherever the seed keeps it.
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const rec = node as Record<string, unknown>;
    if (typeof rec.ak === 'string' && typeof rec.sk === 'string') {
      found.push({ label: `seed AK ${rec.ak.slice(0, 4)}…`, value: rec.ak }, { label: 'seed SK', value: rec.sk });
    }
    Object.values(rec).forEach(walk);
  };
  walk(JSON.parse(fs.readFileSync(file, 'utf8')));
  return found;
}

function realSignatures(): Array<{ label: string; value: string }> {
  const dir = path.join(ROOT, 'test', 'fixtures', 'events', 'real');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({ label: `SMN signature of ${f}`, value: JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')).signature as string }));
}
