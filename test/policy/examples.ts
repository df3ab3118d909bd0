/** Policies shared by the policy tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..');
export const DEPLOY_POLICY = join(REPO_ROOT, 'deploy', 'policy.yaml');

/** The example policy of docs/reference.md ("## Policy"), read from the page: the documented example must validate. */
export const REFERENCE_EXAMPLE = (() => {
  const reference = readFileSync(join(REPO_ROOT, 'docs', 'reference.md'), 'utf8');
  const block = /^## Policy\n[\s\S]*?^```yaml\n([\s\S]*?)^```$/m.exec(reference);
  if (!block) throw new Error('no yaml example under "## Policy" in docs/reference.md');
  return block[1]!;
})();

export const INSTANCE_A = '5e2b1c9a-7f3d-4d2e-9b8a-1c2d3e4f5a6b';
export const INSTANCE_B = '3dc7b9ea-70b4-4c38-942d-e2636e6d844c';
