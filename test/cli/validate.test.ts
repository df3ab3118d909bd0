/** `validate`: a broken policy is reported with its line, column and path (exit 1). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../support/bundle';
import { DEMO_POLICY, runCli, tempDir } from './support';

const BROKEN = `version: 1
dryRun: false
alarms:
  - name: pressure
    match:
      metrics: [connected_clients]
    scope: everywhere
guard:
  cooldown: 60
`;

describe('dcs-session-guard validate', () => {
  const dir = tempDir('dsg-validate-');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };

  it('accepts the default policy (deploy/policy.yaml) and says what it does', async () => {
    const r = await runCli(['validate']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${path.join(ROOT, 'deploy', 'policy.yaml')}: valid policy (dryRun: true; 1 alarm rule (connection-pressure)`);
  });

  it('accepts the demo policy of the local runner', async () => {
    const r = await runCli(['validate', DEMO_POLICY, '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ valid: true, source: DEMO_POLICY, policy: { dryRun: false, schedules: { nightly: expect.any(Object) } } });
  });

  it('reports every problem of a broken policy with FILE:LINE:COLUMN and its path (exit 1)', async () => {
    const file = write('broken.yaml', BROKEN);
    const r = await runCli(['validate', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`policy ${file}:7:12 at alarms[0].scope: Invalid option`);
    expect(r.stdout).toContain(`policy ${file}:9:3 at guard.cooldown: Unknown key "cooldown" (did you mean "cooldownSeconds"?)`);
    expect(r.stdout).toContain('2 problems: the policy is invalid');
  });

  it('a JSON policy with a trailing comma is invalid, at its line and column', async () => {
    const file = write('trailing.json', '{\n  "version": 1,\n}\n');
    const r = await runCli(['validate', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`policy ${file}:3:1: Syntax error: JSON expects a property name in double quotes here (JSON allows no trailing comma)`);
  });

  it('`dryRun: yes` is invalid, with the hint to write true or false', async () => {
    const file = write('yes.yaml', 'version: 1\ndryRun: yes\n');
    const r = await runCli(['validate', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`policy ${file}:2:9 at dryRun: Invalid input: expected boolean, received string (use true or false)`);
  });

  it('--json gives the same problems to a script', async () => {
    const file = write('broken-json.yaml', BROKEN);
    const r = await runCli(['validate', file, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({
      valid: false,
      source: file,
      code: 'policy_invalid',
      issues: [
        { path: 'alarms[0].scope', line: 7, column: 12, message: expect.stringContaining('Invalid option') },
        { path: 'guard.cooldown', line: 9, column: 3, message: expect.stringContaining('Unknown key "cooldown"') },
      ],
    });
  });

  it('points at a syntax error', async () => {
    const file = write('syntax.yaml', 'version: 1\nalarms: [\n');
    const r = await runCli(['validate', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`policy ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:\\d+: Syntax error`));
  });

  it('a file that cannot be read is a usage error (exit 2), relative paths from the current directory', async () => {
    write('here.yaml', 'version: 1\n');
    expect((await runCli(['validate', 'here.yaml'], { cwd: dir })).code).toBe(0);
    const r = await runCli(['validate', 'missing.yaml'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(`policy ${path.join(dir, 'missing.yaml')}: Cannot read the file (no such file)`);
  });
});
