/**
 * The code deploy uploads (lib/deploy/package.ts): the chosen policy as
 * policy.yaml with its build-checked form, written by the bundle's own
 * validator, so the deployed function trusts it (and loads no zod, no yaml).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { unzipSync } from 'fflate';
import { eventOf, functionEnv } from '../../bench/scenario';
import { packageFunction } from '../../lib/deploy/package';
import { DeployError } from '../../lib/deploy/errors';
import { ROOT } from '../support/bundle';
import { probeFresh } from '../support/fresh-probe';

const DIST = path.join(ROOT, 'dist', 'alarm');
/** No rule: the sample node alarm (which the packaged default acts on) is skipped under it. */
const CUSTOM = '# ours\nversion: 1\ndryRun: true\nalarms: []\n';

describe('packageFunction', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsg-package-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('packs the chosen policy with its checked form; the unpacked function trusts it', async () => {
    const pkg = packageFunction(DIST, CUSTOM);
    expect(pkg.files).toEqual(['act.js', 'index.js', 'policy-schema.js', 'policy.checked.json', 'policy.yaml', 'redis.js', 'sdk.js', 'yaml.js']);
    const files = unzipSync(pkg.zip);
    expect(Object.keys(files).sort()).toEqual(pkg.files);
    for (const [name, data] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), data);
    const checked = JSON.parse(fs.readFileSync(path.join(dir, 'policy.checked.json'), 'utf8'));
    expect(checked).toMatchObject({ source: CUSTOM, build: JSON.parse(fs.readFileSync(path.join(DIST, 'policy.checked.json'), 'utf8')).build });

    const probe = await probeFresh(path.join(dir, 'index.js'), eventOf('node_kill', 'package'), functionEnv('http://127.0.0.1:9', ''), 'deploy package');
    expect(probe.results.map((r) => r.decision)).toEqual(['skipped_no_rule']);
    expect(probe.loaded).toEqual(['index.js']);
  });

  it('is deterministic: the same build and policy give the same bytes', () => {
    expect(packageFunction(DIST, CUSTOM).sha512).toBe(packageFunction(DIST, CUSTOM).sha512);
    expect(packageFunction(DIST, CUSTOM).sha512).not.toBe(packageFunction(DIST, `${CUSTOM}\n`).sha512);
  });

  it('refuses a policy its validator refuses, with the located message', () => {
    const bad = () => packageFunction(DIST, 'version: 1\nguard: {cooldownSeconds: -1}\n');
    expect(bad).toThrow(DeployError);
    expect(bad).toThrow('policy policy.yaml:2:26 at guard.cooldownSeconds: Too small: expected number to be >=0');
  });
});
