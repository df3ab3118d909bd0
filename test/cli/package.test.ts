/**
 * The deployable zips: index.js at the root plus the default policy, and a bundle that runs
 * alone, with no node_modules anywhere above it (FunctionGraph unpacks just the zip).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { unzipSync } from 'fflate';
import { ROOT } from '../support/bundle';
import { captureOutput } from '../support/output-capture';
import { cleanEnv, tempDir } from './support';

/** Calls the unpacked handler once, from a script outside any project, and reports what it printed and returned. */
const PROBE = `
const { handler } = require(process.argv[2]);
const event = JSON.parse(process.argv[3]);
handler(event, { getRequestID: () => 'zip-probe' }).then(
  (value) => { process.stdout.write('RESULT ' + JSON.stringify(value) + '\\n'); process.exit(0); },
  (error) => { process.stdout.write('THREW ' + String(error) + '\\n'); process.exit(1); },
);`;

async function runUnpacked(dir: string, event: unknown): Promise<{ code: number | null; lines: any[]; result: any; stderr: string }> {
  const probe = path.join(dir, 'probe.js');
  fs.writeFileSync(probe, PROBE);
  const child = spawn(process.execPath, [probe, path.join(dir, 'index.js'), JSON.stringify(event)], { cwd: dir, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code: number | null = await new Promise((resolve) => child.on('close', resolve));
  captureOutput(`unpacked ${dir}`, stdout, stderr);
  const lines = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  const resultLine = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  return { code, lines, result: resultLine ? JSON.parse(resultLine.slice('RESULT '.length)) : null, stderr };
}

/** No node_modules in the directory or any parent: require() could only find what the zip holds. */
function noNodeModulesAbove(dir: string): boolean {
  for (let d = dir; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'node_modules'))) return false;
    if (path.dirname(d) === d) return true;
  }
}

describe.each(['alarm', 'cron'] as const)('dist/%s.zip', (fn) => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir(`dsg-zip-${fn}-`);
    const files = unzipSync(fs.readFileSync(path.join(ROOT, 'dist', `${fn}.zip`)));
    for (const [name, data] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), data);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('holds index.js at the root, the default policy, and the files index.js loads on first need', () => {
    // sdk.js, redis.js, yaml.js, policy-schema.js: heavy code built apart so a cold start loads only what its event needs
    // (docs/performance.md); policy.checked.json: the default policy as the build validated it.
    expect(fs.readdirSync(dir).sort()).toEqual(['act.js', 'index.js', 'policy-schema.js', 'policy.checked.json', 'policy.yaml', 'redis.js', 'sdk.js', 'yaml.js']);
    for (const file of ['redis.js', 'sdk.js', 'yaml.js', 'policy-schema.js', 'policy.checked.json']) {
      expect(fs.readFileSync(path.join(dir, file)).equals(fs.readFileSync(path.join(ROOT, 'dist', fn, file)))).toBe(true);
    }
    expect(fs.readFileSync(path.join(dir, 'policy.yaml'), 'utf8')).toBe(fs.readFileSync(path.join(ROOT, 'deploy', 'policy.yaml'), 'utf8'));
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'policy.checked.json'), 'utf8')).source).toBe(fs.readFileSync(path.join(ROOT, 'deploy', 'policy.yaml'), 'utf8'));
    expect(fs.readFileSync(path.join(dir, 'index.js')).equals(fs.readFileSync(path.join(ROOT, 'dist', fn, 'index.js')))).toBe(true);
  });

  it('runs with no node_modules: a rejected event is answered and audited', async () => {
    expect(noNodeModulesAbove(dir)).toBe(true);
    // Not an event of this function at all: refused before any DCS call, so no credentials are needed.
    const run = await runUnpacked(dir, fn === 'alarm' ? { record: 'not a list' } : { trigger_type: 'TIMER', user_event: '{"schedule": 42}' });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const audit = run.lines.filter((l) => l.type === 'audit');
    expect(audit).toEqual([expect.objectContaining({ decision: 'rejected', requestId: 'zip-probe', trigger: fn === 'alarm' ? 'alarm' : 'timer' })]);
    expect(run.result).toEqual({ results: audit });
  });
});
