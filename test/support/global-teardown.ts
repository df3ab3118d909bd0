import * as fs from 'node:fs';
import { CAPTURE_FILE } from './output-capture';
import { forbiddenValues } from './secrets';

/**
 * Suite-wide secret check: every line the functions and tools printed during
 * the whole run must be free of the test credentials and SMN signatures.
 */
export default function globalTeardown(): void {
  if (!fs.existsSync(CAPTURE_FILE)) return;
  const output = fs.readFileSync(CAPTURE_FILE, 'utf8');
  const leaks = forbiddenValues().filter(({ value }) => output.includes(value));
  const lines = output.split('\n').length;
  if (leaks.length > 0) {
    throw new Error(`secret scan: ${leaks.map((l) => l.label).join(', ')} found in captured output (${CAPTURE_FILE})`);
  }
  process.stdout.write(`secret scan: ${lines} captured output lines, ${forbiddenValues().length} secret values, no leak\n`);
}
