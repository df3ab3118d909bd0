/** `doctor [--json]`: will this deployment work? Each dependency checked for real, one line each. */
import { existsSync } from 'node:fs';
import { anyFailed, formatCheck, runDoctor } from '../../lib/doctor';
import { parseCommandArgs } from '../cli/args';
import type { Command } from '../cli/command';
import { EXIT, EXIT_CODES_HELP } from '../cli/io';

const USAGE = `Usage: dcs-session-guard doctor [--json]

Checks, with the settings in your environment read exactly as the function reads them
(GUARD_POLICY, DCS_*, HUAWEICLOUD_SDK_*, GUARD_REDIS_*, SMN_*), whether a deployment
will work: the policy and the dry-run state; DCS endpoint, credentials, project, each
instance the policy names (RUNNING, Redis >= 4.0, the nodes that hold sessions); the
permissions a read can prove and the one it cannot (kill); the guard store (reachable
within its timeout, mode, eviction policy, latency, one run of the decision script on
scratch keys); SMN certificates, topics, unsigned mode.

It never kills and writes nothing but its scratch keys (deleted again). Permissions are
those of the credentials it runs with: run it with the agency's to check the agency.

Options:
  --json      print {ok, checks: [{id, status, message, fix?}]}
  -h, --help

${EXIT_CODES_HELP}
  (doctor: 0 nothing failed (warnings allowed), 1 a check failed)`;

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'check a deployment before it matters: config, DCS, permissions, guard store, SMN',
  usage: USAGE,
  async run(argv, io) {
    const args = parseCommandArgs(argv, { json: { type: 'boolean' } }, { max: 0 });
    if (args.values.help) {
      io.out(USAGE);
      return EXIT.OK;
    }
    const packaged = io.layout.packagedPolicy('alarm');
    const checks = await runDoctor({ env: io.env, policyPath: existsSync(packaged) ? packaged : io.layout.deployPolicy });
    const failed = anyFailed(checks);
    if (args.values.json) io.out(JSON.stringify({ ok: !failed, checks }, null, 2));
    else {
      checks.forEach((c) => io.out(formatCheck(c)));
      const count = (s: string) => checks.filter((c) => c.status === s).length;
      io.out(`${count('ok')} ok, ${count('warn')} warning(s), ${count('fail')} failed`);
    }
    return failed ? EXIT.DECISION_FAILED : EXIT.OK;
  },
};
