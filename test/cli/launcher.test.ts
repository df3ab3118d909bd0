/**
 * `npx dcs-session-guard` right after `npm install`: npm links the package's own bin
 * (bin/launcher.js, through the self-dependency "file:.") into node_modules/.bin, and the
 * launcher builds the CLI on first use in a checkout that was never built.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../support/bundle';
import { runCli, tempDir } from './support';

jest.setTimeout(180_000);

const LAUNCHER = path.join(ROOT, 'bin', 'launcher.js');

/** The project's files as a fresh clone has them (tracked and new, from the working tree): no dist/, no node_modules. */
function freshCopy(): string {
  const dir = tempDir('dsg-checkout-');
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const file of files) {
    const from = path.join(ROOT, file);
    if (!fs.existsSync(from)) continue; // deleted in the working tree
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(from, path.join(dir, file));
  }
  return dir;
}

test('npm install links the bin to the launcher, which npx finds', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  expect(pkg.bin).toEqual({ 'dcs-session-guard': 'bin/launcher.js' });
  expect(fs.realpathSync(path.join(ROOT, 'node_modules', '.bin', 'dcs-session-guard'))).toBe(LAUNCHER);
  expect(fs.statSync(LAUNCHER).mode & 0o111).not.toBe(0);
});

describe('in a checkout that was never built', () => {
  let dir: string;
  beforeEach(() => {
    dir = freshCopy();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('builds on first use, then runs the command; the build talks on stderr only', async () => {
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
    const first = await runCli(['--help'], { cli: path.join(dir, 'bin', 'launcher.js'), cwd: dir });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^Usage: dcs-session-guard <command>/);
    expect(first.stderr).toContain('first run in this checkout, building');
    expect(fs.existsSync(path.join(dir, 'dist', 'cli.js'))).toBe(true);

    const second = await runCli(['validate', 'deploy/policy.yaml'], { cli: path.join(dir, 'bin', 'launcher.js'), cwd: dir });
    expect(second).toMatchObject({ code: 0, stderr: '' });
  });

  it('without node_modules it says to run npm install (exit 3), instead of "not found"', async () => {
    const run = await runCli(['--help'], { cli: path.join(dir, 'bin', 'launcher.js'), cwd: dir });
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`not built yet, and the build tools are not installed: run "npm install" in ${dir}`);
  });
});
