/** `invoke <alarm|cron> --event FILE`: run a built handler on an event, with the current environment. */
import * as path from 'node:path';
import { UsageError, parseCommandArgs, stringValue } from '../cli/args';
import type { Command } from '../cli/command';
import { decisionTable, exitCodeFor, logLines, runProblem } from '../cli/decisions';
import { readEventFile } from '../cli/event-file';
import { EXIT, EXIT_CODES_HELP, type ExitCode, type Io } from '../cli/io';
import { envWith, runFunctionOnce, type FunctionRun } from '../cli/run-function';
import type { FunctionKind } from '../../dev/runner/layout';

const USAGE = `Usage: dcs-session-guard invoke <alarm|cron> --event FILE [--policy FILE] [--json]

Runs the built handler (dist/<alarm|cron>/index.js) once on the event in FILE, in a fresh
process with your current environment (HUAWEICLOUD_SDK_*, DCS_REGION / DCS_ENDPOINT,
GUARD_*, SMN_*), exactly as FunctionGraph would call it. It ACTS if the policy says so:
use "plan" to see what would happen without any kill.

Options:
  --event FILE    the event JSON ("-" reads stdin), e.g. dev/runner/samples/node-alarm.smn-trigger.json
  --policy FILE   use this policy (sets GUARD_POLICY) instead of GUARD_POLICY / the packaged one
  --json          print the decisions (the results array) as JSON on stdout; function output goes to stderr
  -h, --help

${EXIT_CODES_HELP}`;

export function parseFunctionKind(value: string | undefined): FunctionKind {
  if (value === 'alarm' || value === 'cron') return value;
  throw new UsageError(value === undefined ? 'which function? invoke alarm|cron' : `unknown function "${value}": alarm or cron`);
}

/** Prints a run for a person or a script, and returns its exit code. Shared with `plan`. */
export function report(run: FunctionRun, io: Io, opts: { json: boolean; heading: string }): ExitCode {
  const problem = runProblem(run);
  if (opts.json) {
    run.lines.forEach((line) => io.err(line));
    if (problem !== null) io.err(`error: ${problem}`);
    else io.out(JSON.stringify(run.results, null, 2));
    return exitCodeFor(run);
  }
  logLines(run.lines).forEach((line) => io.err(line));
  if (problem !== null) {
    io.err(`error: ${problem}`);
    return exitCodeFor(run);
  }
  const status = run.statusCode === null ? '' : ` (HTTP ${run.statusCode})`;
  io.out(`${opts.heading}${status}: ${run.results!.length} decision${run.results!.length === 1 ? '' : 's'}`);
  io.out(decisionTable(run.results!));
  return exitCodeFor(run);
}

export function policyOverride(value: string | undefined, cwd: string): Record<string, string> {
  if (value === undefined) return {};
  return { GUARD_POLICY: value.trim().startsWith('{') ? value : path.resolve(cwd, value) };
}

export const invokeCommand: Command = {
  name: 'invoke',
  summary: 'run a built handler on an event file with the current environment, print the decisions',
  usage: USAGE,
  async run(argv, io) {
    const args = parseCommandArgs(argv, { event: { type: 'string' }, policy: { type: 'string' }, json: { type: 'boolean' } }, { max: 1 });
    if (args.values.help) {
      io.out(USAGE);
      return EXIT.OK;
    }
    const fn = parseFunctionKind(args.positionals[0]);
    const event = readEventFile(stringValue(args.values.event), io.cwd);
    const env = envWith(io.env, policyOverride(stringValue(args.values.policy), io.cwd));
    const run = await runFunctionOnce(io, fn, event, env);
    return report(run, io, { json: args.values.json === true, heading: fn });
  },
};
