/**
 * `deploy [FILE] [--plan] [--arm|--disarm]` and `undeploy [FILE] [--plan]`:
 * both functions and their triggers into one account and region through the
 * FunctionGraph API (lib/deploy). The configuration checks of `doctor` run
 * first; then the account is read, compared, and (without --plan) changed.
 */
import * as path from 'node:path';
import { applyPlan, applyUndeploy, formatPlan, formatUndeploy, functionGraphFor, hasWork, loadDeployInput, makePlan, planUndeploy, type ArmMode, type DeployInput } from '../../lib/deploy';
import { DeployError } from '../../lib/deploy/errors';
import { configChecks, formatCheck } from '../../lib/doctor';
import { parseCommandArgs, stringValue, UsageError } from '../cli/args';
import type { Command } from '../cli/command';
import { EXIT, EXIT_CODES_HELP, type ExitCode, type Io } from '../cli/io';

const DEFAULT_FILE = path.join('deploy', 'deploy.yaml');

const CREDENTIALS_HELP = `Credentials of the deploying user: HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK
(and HUAWEICLOUD_SDK_SECURITY_TOKEN for temporary ones). FG_ENDPOINT overrides the
endpoint https://functiongraph.<region>.myhuaweicloud.com (http only on loopback).`;

const DEPLOY_USAGE = `Usage: dcs-session-guard deploy [FILE] [--plan] [--arm | --disarm]

Creates or updates both functions and their triggers as FILE (default ${DEFAULT_FILE};
see deploy/deploy.example.yaml) describes. Runs doctor's configuration checks first.
Code is uploaded only when the zip's hash differs, configuration only when a field
differs; a timer whose schedule changed is deleted and recreated. A run stopped by a
failure is repaired by the next run.

Safe by default: a new function gets GUARD_DRY_RUN=true (decide and audit, never kill);
an existing one keeps what it has.

Options:
  --plan      print what would be created, changed or deleted, and change nothing
  --arm       set GUARD_DRY_RUN=false: the functions kill when the policy allows it
  --disarm    set GUARD_DRY_RUN=true
  -h, --help

${CREDENTIALS_HELP}

${EXIT_CODES_HELP}
  (deploy: 1 a step failed or a function of that name is not ours; 3 not built, bad
  configuration or credentials)`;

const UNDEPLOY_USAGE = `Usage: dcs-session-guard undeploy [FILE] [--plan]

Deletes the functions deploy created as FILE names them (default ${DEFAULT_FILE}), and with
them their triggers. A function of that name that deploy did not create is left alone.

Options:
  --plan      print what would be deleted, and change nothing
  -h, --help

${CREDENTIALS_HELP}

${EXIT_CODES_HELP}`;

function prepare(file: string, io: Io): DeployInput | ExitCode {
  const loaded = loadDeployInput(path.resolve(io.cwd, file), { distDir: (fn) => path.dirname(io.layout.bundle(fn)) });
  if (loaded.ok) return loaded.value;
  const error = loaded.error;
  if (error instanceof DeployError) {
    io.err(error.describe());
    return EXIT.CANNOT_RUN;
  }
  error.formatAll().forEach((line) => io.err(line));
  return error.code === 'policy_unreadable' ? EXIT.USAGE : EXIT.CANNOT_RUN;
}

function armMode(values: Record<string, string | boolean | undefined>): ArmMode {
  if (values.arm && values.disarm) throw new UsageError('choose --arm or --disarm, not both');
  return values.arm ? 'arm' : values.disarm ? 'disarm' : 'keep';
}

/** doctor's configuration part, on the environment each function will get. */
function checkConfiguration(input: DeployInput, io: Io): boolean {
  const shown = new Set<string>();
  let ok = true;
  for (const fn of input.desired) {
    // GUARD_DRY_RUN is deploy's to set (--arm): the checks judge everything else.
    const env = { ...fn.environment, GUARD_DRY_RUN: 'true' };
    for (const check of configChecks({ env, policyPath: input.policy.source, now: Date.now(), credentials: 'agency', fn: fn.kind })) {
      if (check.status === 'ok' || shown.has(formatCheck(check))) continue;
      shown.add(formatCheck(check));
      io.err(`check: ${formatCheck(check)}`);
      if (check.status === 'fail') ok = false;
    }
  }
  return ok;
}

export const deployCommand: Command = {
  name: 'deploy',
  summary: 'create or update both functions and their triggers on FunctionGraph (--plan: show only)',
  usage: DEPLOY_USAGE,
  async run(argv, io) {
    const args = parseCommandArgs(argv, { plan: { type: 'boolean' }, arm: { type: 'boolean' }, disarm: { type: 'boolean' } }, { max: 1 });
    if (args.values.help) {
      io.out(DEPLOY_USAGE);
      return EXIT.OK;
    }
    const arm = armMode(args.values);
    const input = prepare(stringValue(args.positionals[0]) ?? DEFAULT_FILE, io);
    if (typeof input === 'number') return input;
    if (!checkConfiguration(input, io)) {
      io.err('deploy: the configuration would fail in the function (above); nothing was changed');
      return EXIT.CANNOT_RUN;
    }
    const api = functionGraphFor(input.file, io.env, io.env.FG_ENDPOINT);
    if (!api.ok) {
      io.err(api.error.describe());
      return EXIT.CANNOT_RUN;
    }
    let plan;
    try {
      plan = await makePlan(api.value, input.desired, arm);
    } catch (error) {
      if (!(error instanceof DeployError)) throw error;
      io.err(error.describe());
      return EXIT.DECISION_FAILED;
    }
    formatPlan(plan, input.policy.policy.dryRun).forEach((line) => io.out(line));
    const blocked = plan.functions.some((p) => p.notOwned);
    if (args.values.plan || !plan.functions.some(hasWork)) return blocked ? EXIT.DECISION_FAILED : EXIT.OK;
    const result = await applyPlan(api.value, plan, (line) => io.out(`done: ${line}`));
    if (result.error) {
      io.err(`deploy stopped: ${result.error.describe()}`);
      io.err('What was done stays done; run deploy again once fixed: it reads the account and does the rest.');
      return EXIT.DECISION_FAILED;
    }
    io.out(`deployed: ${result.done.length} change${result.done.length === 1 ? '' : 's'} applied`);
    return blocked ? EXIT.DECISION_FAILED : EXIT.OK;
  },
};

export const undeployCommand: Command = {
  name: 'undeploy',
  summary: 'delete the functions (and triggers) deploy created (--plan: show only)',
  usage: UNDEPLOY_USAGE,
  async run(argv, io) {
    const args = parseCommandArgs(argv, { plan: { type: 'boolean' } }, { max: 1 });
    if (args.values.help) {
      io.out(UNDEPLOY_USAGE);
      return EXIT.OK;
    }
    const input = prepare(stringValue(args.positionals[0]) ?? DEFAULT_FILE, io);
    if (typeof input === 'number') return input;
    const api = functionGraphFor(input.file, io.env, io.env.FG_ENDPOINT);
    if (!api.ok) {
      io.err(api.error.describe());
      return EXIT.CANNOT_RUN;
    }
    try {
      const steps = await planUndeploy(api.value, input.desired);
      formatUndeploy(steps).forEach((line) => io.out(line));
      if (args.values.plan || !steps.some((s) => s.action === 'delete')) return EXIT.OK;
      const result = await applyUndeploy(api.value, steps, (line) => io.out(`done: ${line}`));
      if (result.error) {
        io.err(`undeploy stopped: ${result.error.describe()}`);
        return EXIT.DECISION_FAILED;
      }
      io.out('undeployed');
      return EXIT.OK;
    } catch (error) {
      if (!(error instanceof DeployError)) throw error;
      io.err(error.describe());
      return EXIT.DECISION_FAILED;
    }
  },
};
