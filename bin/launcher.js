#!/usr/bin/env node
'use strict';
// The package bin (`npx dcs-session-guard`). Runs the built CLI, dist/cli.js. In a fresh
// checkout nothing is built yet: it builds first (the esbuild step of `npm run build`), so the
// command works right after `npm install`. Plain JavaScript on purpose: it must run before
// anything is compiled.
const { existsSync } = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const CANNOT_RUN = 3; // the CLI's exit code for "could not run" (bin/cli/io.ts)

function fail(message) {
  process.stderr.write(`dcs-session-guard: ${message}\n`);
  process.exit(CANNOT_RUN);
}

function build() {
  try {
    require.resolve('esbuild', { paths: [ROOT] });
  } catch {
    fail(`not built yet, and the build tools are not installed: run "npm install" in ${ROOT}, then try again`);
  }
  process.stderr.write('dcs-session-guard: first run in this checkout, building (npm run build)...\n');
  // The build's own output goes to stderr: stdout stays the command's (--json).
  const result = spawnSync(process.execPath, ['esbuild.config.mjs', '--quiet'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  if (result.status !== 0 || !existsSync(CLI)) fail(`the build failed (see above); fix it, or run "npm run build" in ${ROOT}`);
}

if (!existsSync(CLI)) build();
const cli = require(CLI);
if (typeof cli.run !== 'function') fail(`${CLI} was built from an older version: run "npm run build" in ${ROOT}`);
cli.run();
