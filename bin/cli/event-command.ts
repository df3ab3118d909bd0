/**
 * The commands that run a built handler once on an event file (`invoke`, `plan`): the same
 * options, the same run, the same report. They differ only in how the function is chosen,
 * what they add to the environment, and the heading above the decisions.
 */
import * as path from 'node:path';
import type { FunctionKind } from '../../dev/runner/layout';
import { UsageError, parseCommandArgs, stringValue } from './args';
import type { Command } from './command';
import { report } from './decisions';
import { functionForEvent, readEventFile } from './event-file';
import { EXIT } from './io';
import { envWith, runFunctionOnce } from './run-function';

export interface EventCommandSpec {
  name: string;
  summary: string;
  usage: string;
  /** false: the function must be named (`invoke alarm`); true: it may be left out and read from the event. */
  functionFromEvent: boolean;
  /** Set on top of the user's environment and --policy (e.g. plan's forced dry run). */
  env: Record<string, string>;
  heading(fn: FunctionKind): string;
}

export function eventCommand(spec: EventCommandSpec): Command {
  return {
    name: spec.name,
    summary: spec.summary,
    usage: spec.usage,
    async run(argv, io) {
      const args = parseCommandArgs(argv, { event: { type: 'string' }, policy: { type: 'string' }, json: { type: 'boolean' } }, { max: 1 });
      if (args.values.help) {
        io.out(spec.usage);
        return EXIT.OK;
      }
      // The function argument is checked before the event is read (which may wait on stdin).
      const named = args.positionals[0];
      const fn = named === undefined && spec.functionFromEvent ? undefined : parseFunctionKind(named);
      const event = readEventFile(stringValue(args.values.event), io.cwd);
      const chosen = fn ?? functionForEvent(event);
      const env = envWith(io.env, { ...policyOverride(stringValue(args.values.policy), io.cwd), ...spec.env });
      const run = await runFunctionOnce(io, chosen, event, env);
      return report(run, io, { json: args.values.json === true, heading: spec.heading(chosen) });
    },
  };
}

export function parseFunctionKind(value: string | undefined): FunctionKind {
  if (value === 'alarm' || value === 'cron') return value;
  throw new UsageError(value === undefined ? 'which function? invoke alarm|cron' : `unknown function "${value}": alarm or cron`);
}

/** --policy sets GUARD_POLICY: inline JSON as is, a file resolved against the working directory. */
export function policyOverride(value: string | undefined, cwd: string): Record<string, string> {
  if (value === undefined) return {};
  return { GUARD_POLICY: value.trim().startsWith('{') ? value : path.resolve(cwd, value) };
}
