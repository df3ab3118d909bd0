/**
 * sdk-core (130-230 ms of module loading) is evaluated on the first DCS call,
 * not when lib/dcs is imported nor when a client is built. Checked in a child
 * process whose bundle leaves core external, so require.cache tells the truth.
 */
import * as path from 'node:path';
import { bundleProbe, REPO, runScript, scratchDirs } from './support/probe';
import { AK, PROJECT_ID, SK } from './support/fixtures';

test('core loads on the first call only', async () => {
  const dirs = scratchDirs();
  const probe = await bundleProbe('test/dcs/support/lazy-probe.ts', path.join(dirs.root, 'lazy-probe.js'), ['@huaweicloud/huaweicloud-sdk-core', '@huaweicloud/huaweicloud-sdk-core/*']);
  const out = await runScript(
    probe,
    { NODE_PATH: path.join(REPO, 'node_modules'), HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: SK, HUAWEICLOUD_SDK_PROJECT_ID: PROJECT_ID, HOME: dirs.home },
    dirs.cwd,
  );
  expect(out.stderr).toBe('');
  expect(JSON.parse(out.stdout.trim())).toEqual({ afterImport: false, afterClient: false, afterCall: true, kind: 'not_sent' });
});
