/** Bundles a probe script with esbuild and runs it in a child process, capturing its real stdout/stderr. */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';

export const REPO = path.resolve(__dirname, '..', '..', '..');

export interface ProbeDirs {
  root: string;
  home: string;
  cwd: string;
}

/** A scratch root with an empty HOME and working directory, to catch files written behind our back. */
export function scratchDirs(): ProbeDirs {
  const root = mkdtempSync(path.join(tmpdir(), 'dcs-probe-'));
  const dirs = { root, home: path.join(root, 'home'), cwd: path.join(root, 'cwd') };
  mkdirSync(dirs.home);
  mkdirSync(dirs.cwd);
  return dirs;
}

/** Minified CommonJS bundle, as the functions ship; `external` keeps packages out (resolved via NODE_PATH). */
export async function bundleProbe(entry: string, outfile: string, external: string[] = []): Promise<string> {
  await build({ entryPoints: [path.join(REPO, entry)], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs', minify: true, external, logLevel: 'silent' });
  return outfile;
}

export interface ProbeRun {
  stdout: string;
  stderr: string;
  exitCode: number | null;
}

export function runScript(file: string, env: Record<string, string>, cwd: string): Promise<ProbeRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [file], { env: { PATH: process.env.PATH ?? '', ...env }, cwd, timeout: 60_000, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ stdout, stderr, exitCode: error ? (typeof error.code === 'number' ? error.code : -1) : 0 });
    });
  });
}
