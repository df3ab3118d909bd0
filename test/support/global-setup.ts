import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CAPTURE_FILE } from './output-capture';

/** Builds the bundles once: tests exercise dist/, the code that ships. */
export default function globalSetup(): void {
  fs.rmSync(CAPTURE_FILE, { force: true });
  execFileSync(process.execPath, ['esbuild.config.mjs', '--quiet'], {
    cwd: path.resolve(__dirname, '..', '..'),
    stdio: 'inherit',
  });
}
