/**
 * The public contract (../shared/contract.md) and the code must not drift
 * apart: decision kinds, environment variables and audit fields are read from
 * the contract itself and checked against the code and the README.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DECISION_KINDS } from '../../lib/domain/types';

const ROOT = path.resolve(__dirname, '..', '..');
const contract = fs.readFileSync(path.resolve(ROOT, '..', 'shared', 'contract.md'), 'utf8');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** The first-column names of the table rows that follow a heading. */
function tableKeys(markdown: string, heading: string): string[] {
  const section = markdown.split(heading)[1]?.split(/\n## /)[0] ?? '';
  return section
    .split('\n')
    .filter((l) => /^\| [^-]/.test(l) && !/^\| (variable|field) \|/.test(l))
    .flatMap((l) => l.split('|')[1]!.split(','))
    .map((k) => k.trim().replace(/`/g, '').split(' ')[0]!)
    .filter(Boolean);
}

test('every decision of the contract exists in the code, and the code adds only documented extensions', () => {
  const row = contract.split('\n').find((l) => l.startsWith('| decision |'))!;
  const inContract = row.split('|')[2]!.split(',').map((s) => s.trim());
  expect(inContract.length).toBeGreaterThan(5);
  const extensions = DECISION_KINDS.filter((k) => !inContract.includes(k));
  expect(inContract.filter((k) => !DECISION_KINDS.includes(k as never))).toEqual([]);
  expect(extensions).toEqual(['subscription_confirmed']);
  for (const kind of DECISION_KINDS) expect(readme).toContain(`\`${kind}\``);
});

test('every environment variable of the contract is documented in the README and read by the code', () => {
  const variables = tableKeys(contract, '## Configuration');
  expect(variables).toEqual(expect.arrayContaining(['HUAWEICLOUD_SDK_AK', 'GUARD_POLICY', 'SMN_TOPIC_URNS']));
  const code = ['lib/dcs/credentials.ts', 'lib/dcs/config.ts', 'lib/auth/config.ts', 'lib/policy/load.ts', 'lib/guard/index.ts']
    .map((f) => fs.readFileSync(path.join(ROOT, f), 'utf8'))
    .join('\n');
  for (const name of variables.filter((v) => /^[A-Z_]+$/.test(v))) {
    expect(readme).toContain(name);
    expect(code).toContain(name);
  }
});

test('every audit field of the contract is documented in the README', () => {
  const fields = tableKeys(contract, '## Audit records');
  expect(fields).toEqual(expect.arrayContaining(['type', 'decision', 'target', 'jobId', 'job', 'durationMs']));
  for (const field of fields) expect(readme).toContain(`\`${field}\``);
});
