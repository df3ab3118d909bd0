/** `plan --event FILE`: what the handler would decide, with GUARD_DRY_RUN=true forced (no kill-all, guard state untouched). */
import { parseCommandArgs, stringValue } from '../cli/args';
import type { Command } from '../cli/command';
import { functionForEvent, readEventFile } from '../cli/event-file';
import { EXIT, EXIT_CODES_HELP } from '../cli/io';
import { envWith, runFunctionOnce } from '../cli/run-function';
import { parseFunctionKind, policyOverride, report } from './invoke';

const USAGE = `Usage: dcs-session-guard plan [alarm|cron] --event FILE [--policy FILE] [--json]

What would happen for this event, without doing it: runs the built handler like "invoke"
but with GUARD_DRY_RUN=true forced, so kill-all is never called and the guard (dedup,
cooldown, rate limit) is evaluated read-only: a plan leaves no guard state behind. Reads
are made (instance and node lookups), so a plan against the real API needs credentials.
The function is chosen from the event (timer events: cron; others: alarm) unless named.

Options:
  --event FILE    the event JSON ("-" reads stdin)
  --policy FILE   plan with this policy (sets GUARD_POLICY): try a policy before deploying it
  --json          print the decisions (the results array) as JSON
  -h, --help

${EXIT_CODES_HELP}`;

export const planCommand: Command = {
  name: 'plan',
  summary: 'what would happen for an event: dry run forced, no kill-all, guard read-only',
  usage: USAGE,
  async run(argv, io) {
    const args = parseCommandArgs(argv, { event: { type: 'string' }, policy: { type: 'string' }, json: { type: 'boolean' } }, { max: 1 });
    if (args.values.help) {
      io.out(USAGE);
      return EXIT.OK;
    }
    const named = args.positionals[0];
    const event = readEventFile(stringValue(args.values.event), io.cwd);
    const fn = named === undefined ? functionForEvent(event) : parseFunctionKind(named);
    const env = envWith(io.env, { ...policyOverride(stringValue(args.values.policy), io.cwd), GUARD_DRY_RUN: 'true' });
    const run = await runFunctionOnce(io, fn, event, env);
    return report(run, io, { json: args.values.json === true, heading: `plan for ${fn} (dry run: nothing was killed)` });
  },
};
