import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Everything the functions and tools print during the test run is appended
 * here; global teardown scans it for secrets (docs/security.md, "Secrets").
 */
export const CAPTURE_FILE = path.resolve(__dirname, '..', '..', '.tmp', 'test-output.log');

export function captureOutput(label: string, ...chunks: string[]): void {
  fs.mkdirSync(path.dirname(CAPTURE_FILE), { recursive: true });
  fs.appendFileSync(CAPTURE_FILE, `\n### ${label}\n${chunks.join('\n')}`);
}
