// `npm run bench`: builds the functions (the figures are about the current code),
// bundles the bench itself, and runs it. Everything stays on this machine (127.0.0.1).
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
execFileSync(process.execPath, ['esbuild.config.mjs', '--quiet'], { cwd: root, stdio: 'inherit' });
await build({
  entryPoints: { main: 'bench/main.ts', worker: 'bench/worker.ts' },
  outdir: 'dist/bench',
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'inline',
  logLevel: 'warning',
});
// `npm run bench -- precision` runs one section only (see bench/main.ts).
execFileSync(process.execPath, ['dist/bench/main.js', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
