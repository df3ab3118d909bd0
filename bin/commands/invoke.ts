/** `invoke <alarm|cron> --event FILE`: run a built handler on an event, with the current environment. */
import { eventCommand } from '../cli/event-command';
import { EXIT_CODES_HELP } from '../cli/io';

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

export const invokeCommand = eventCommand({
  name: 'invoke',
  summary: 'run a built handler on an event file with the current environment, print the decisions',
  usage: USAGE,
  functionFromEvent: false,
  env: {},
  heading: (fn) => fn,
});
