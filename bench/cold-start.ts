/**
 * (1) Cold start: fresh node processes, interleaved so that every case sees the
 * same machine load. Each process is timed from spawn to exit by the bench:
 *   a. `node -e ""`: what any Node.js function pays before our code runs;
 *   a′. a one-line handler file loaded and called by the same probe as ours:
 *      the fairest baseline (same runner, same require, same exit);
 *   b. require the alarm bundle and handle a rejected event (no policy, no SDK);
 *   s1/s2. skipped events: a recovered alarm, and a valid alarm no rule matches
 *      (the policy is read, nothing acts, no SDK); the policy is a file with its
 *      build-checked form beside it, as the package ships it;
 *   s2′. s2 with the same policy inline in GUARD_POLICY (informational, no target:
 *      an inline policy is validated by zod on every cold start);
 *   c. require it and handle a node alarm that kills at the emulator (policy,
 *      SDK, three DCS calls).
 * The probe checks the decision and exits at once (no idle socket keeps it alive).
 */
import { spawn } from 'node:child_process';
import { summarize, elapsedNs, type Summary } from './stats';

const PROBE = `
const [bundle, event, expected] = process.argv.slice(1);
require(bundle).handler(JSON.parse(event), { getRequestID: () => 'bench-cold' }).then(
  (r) => process.exit(r && r.results && r.results.length === 1 && r.results[0].decision === expected ? 0 : 3),
  () => process.exit(4),
);`;

export interface ColdCase {
  /** Short label: a, a′, b, s1, s2, c. */
  id: string;
  name: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

export interface ColdResult {
  id: string;
  name: string;
  ms: Summary;
}

export function probeCase(id: string, name: string, bundle: string, event: unknown, expected: string, env: NodeJS.ProcessEnv): ColdCase {
  return { id, name, args: ['-e', PROBE, bundle, JSON.stringify(event), expected], env };
}

export const emptyCase = (env: NodeJS.ProcessEnv): ColdCase => ({ id: 'a', name: 'node -e ""', args: ['-e', ''], env });

/** The one-line handler of case a′ (main.ts writes it to a file next to the bench). */
export const ONE_LINE_HANDLER = "exports.handler = async () => ({ results: [{ decision: 'rejected' }] });\n";

export const oneLineHandlerCase = (file: string, env: NodeJS.ProcessEnv): ColdCase => probeCase('a′', 'one-line handler, same probe', file, {}, 'rejected', env);

function timeOnce(c: ColdCase): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, c.args, { env: c.env, stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) => {
      const ns = elapsedNs(start);
      if (code === 0) resolve(ns);
      else reject(new Error(`cold start "${c.name}" exited with ${code}: it did not decide what it should`));
    });
  });
}

/** `rounds` measured rounds after one discarded warm-up round (page cache); each round runs every case once. */
export async function measureColdStarts(cases: ColdCase[], rounds: number): Promise<ColdResult[]> {
  const samples = cases.map(() => [] as number[]);
  for (let round = -1; round < rounds; round++) {
    for (const [i, c] of cases.entries()) {
      const ns = await timeOnce(c);
      if (round >= 0) samples[i]!.push(ns / 1e6);
    }
  }
  return cases.map((c, i) => ({ id: c.id, name: c.name, ms: summarize(samples[i]!) }));
}
