/**
 * Suites that need redis-server skip only when it is missing, never under CI, and the
 * closing summary says how many were skipped and why. A child jest runs one small fixture
 * file with a PATH that holds node and, or not, redis-server.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from '../support/bundle';
import { describeWithRedis } from '../support/redis-server';

jest.setTimeout(120_000);

/** A PATH directory with node, and redis-server only when asked. */
function pathWith(tools: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsg-path-'));
  fs.symlinkSync(process.execPath, path.join(dir, 'node'));
  for (const tool of tools) {
    const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    fs.symlinkSync(found, path.join(dir, tool));
  }
  return dir;
}

function runFixture(env: Record<string, string>): { status: number | null; out: string } {
  const config = {
    rootDir: ROOT,
    roots: ['<rootDir>/test/fixtures/jest'],
    testMatch: ['**/needs-redis.fixture.ts'],
    transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
    reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  };
  const { CI: _ci, ...base } = process.env;
  const child = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), '--config', JSON.stringify(config), '--ci'], {
    cwd: ROOT,
    env: { ...base, ...env },
    encoding: 'utf8',
  });
  return { status: child.status, out: `${child.stdout}\n${child.stderr}` };
}

test('without redis-server: its tests skip, the others run, and the summary counts the skipped ones and says why', () => {
  const run = runFixture({ PATH: pathWith([]) });
  expect(run.out).toContain('tests: 1 passed, 0 failed, 2 skipped');
  expect(run.out).toContain('skipped 2 tests: redis-server is not on PATH (install the redis-server package; with CI set these tests fail instead)');
  expect(run.status).toBe(0);
});

test('without redis-server under CI: the run fails, nothing is skipped silently', () => {
  const run = runFixture({ PATH: pathWith([]), CI: 'true' });
  expect(run.out).toContain('CI is set, so the Redis tests must run');
  expect(run.out).not.toMatch(/skipped \d+ tests?:/);
  expect(run.status).not.toBe(0);
});

describeWithRedis('with redis-server', () => {
  test('every test runs and no skip line is printed', () => {
    const run = runFixture({ PATH: pathWith(['redis-server']) });
    expect(run.out).toContain('tests: 3 passed, 0 failed, 0 skipped');
    expect(run.out).not.toMatch(/skipped \d+ tests?:/);
    expect(run.status).toBe(0);
  });
});
