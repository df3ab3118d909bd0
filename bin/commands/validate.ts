/** `validate [POLICY]`: check a policy file; every problem with its line, column and path. */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { formatPath, loadPolicy, type LoadedPolicy, type PolicyError } from '../../lib/policy';
import { parseCommandArgs } from '../cli/args';
import type { Command } from '../cli/command';
import { EXIT, EXIT_CODES_HELP, type Io } from '../cli/io';

const USAGE = `Usage: dcs-session-guard validate [POLICY] [--json]

Checks a policy (YAML or JSON) the way the functions load it: syntax, schema, unknown keys.
Every problem is reported as FILE:LINE:COLUMN at PATH: message.
POLICY defaults to deploy/policy.yaml (in the current directory, else in this project).

Options:
  --json      print {valid, source, issues|policy} as JSON
  -h, --help

${EXIT_CODES_HELP}
  (validate: 0 valid, 1 invalid, 2 the file cannot be read)`;

function defaultPolicy(io: Io): string {
  const here = path.resolve(io.cwd, 'deploy', 'policy.yaml');
  return existsSync(here) ? here : io.layout.deployPolicy;
}

function summary(loaded: LoadedPolicy): string {
  const p = loaded.policy;
  const rules = p.alarms.map((r) => r.name);
  const schedules = Object.keys(p.schedules);
  return [
    `dryRun: ${p.dryRun}`,
    `${rules.length} alarm rule${rules.length === 1 ? '' : 's'}${rules.length ? ` (${rules.join(', ')})` : ''}`,
    `${schedules.length} schedule${schedules.length === 1 ? '' : 's'}${schedules.length ? ` (${schedules.join(', ')})` : ''}`,
    `cooldown ${p.guard.cooldownSeconds} s, at most ${p.guard.maxKillsPerHour} kills/hour`,
  ].join('; ');
}

function issuesJson(error: PolicyError) {
  return error.issues.map((i) => ({ path: formatPath(i.path), line: i.line, column: i.column, message: i.message }));
}

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check a policy file; errors point at line and path',
  usage: USAGE,
  async run(argv, io) {
    const args = parseCommandArgs(argv, { json: { type: 'boolean' } }, { max: 1 });
    if (args.values.help) {
      io.out(USAGE);
      return EXIT.OK;
    }
    const given = args.positionals[0];
    const file = given === undefined ? defaultPolicy(io) : given;
    // loadPolicy, as the functions do (GUARD_DRY_RUN plays no part in validity).
    const loaded = loadPolicy({ env: { GUARD_POLICY: file }, defaultPath: io.layout.deployPolicy, baseDir: io.cwd });
    const json = args.values.json === true;
    if (loaded.ok) {
      if (json) io.out(JSON.stringify({ valid: true, source: loaded.value.source, policy: loaded.value.policy }, null, 2));
      else io.out(`${loaded.value.source}: valid policy (${summary(loaded.value)})`);
      return EXIT.OK;
    }
    const error = loaded.error;
    if (json) io.out(JSON.stringify({ valid: false, source: error.source, code: error.code, issues: issuesJson(error) }, null, 2));
    else {
      error.formatAll().forEach((line) => io.out(line));
      io.out(`${error.issues.length} problem${error.issues.length === 1 ? '' : 's'}: the policy is ${error.code === 'policy_unreadable' ? 'unreadable' : 'invalid'}`);
    }
    return error.code === 'policy_unreadable' ? EXIT.USAGE : EXIT.DECISION_FAILED;
  },
};
