import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

/** Builds the bundles once: tests exercise dist/, the code that ships. */
export default function globalSetup(): void {
  execFileSync(process.execPath, ['esbuild.config.mjs', '--quiet'], {
    cwd: path.resolve(__dirname, '..', '..'),
    stdio: 'inherit',
  });
}
