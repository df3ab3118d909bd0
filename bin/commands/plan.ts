/** `plan --event FILE`: what the handler would decide, with GUARD_DRY_RUN=true forced (no kill-all, guard state untouched). */
import { eventCommand } from '../cli/event-command';
import { EXIT_CODES_HELP } from '../cli/io';

const USAGE = `Usage: dcs-session-guard plan [alarm|cron] --event FILE [--policy FILE] [--json]

What would happen for this event, without doing it: runs the built handler like "invoke"
but with GUARD_DRY_RUN=true forced, so kill-all is never called and the guard (dedup,
cooldown, rate limit) is evaluated read-only: a plan leaves no guard state behind, and
tells nobody (GUARD_SINKS=off: no notification, history entry or metric). Reads
are made (instance and node lookups), so a plan against the real API needs credentials.
The function is chosen from the event (timer events: cron; others: alarm) unless named.

Options:
  --event FILE    the event JSON ("-" reads stdin)
  --policy FILE   plan with this policy (sets GUARD_POLICY): try a policy before deploying it
  --json          print the decisions (the results array) as JSON
  -h, --help

${EXIT_CODES_HELP}`;

export const planCommand = eventCommand({
  name: 'plan',
  summary: 'what would happen for an event: dry run forced, no kill-all, guard read-only',
  usage: USAGE,
  functionFromEvent: true,
  env: { GUARD_DRY_RUN: 'true', GUARD_SINKS: 'off' },
  heading: (fn) => `plan for ${fn} (dry run: nothing was killed)`,
});
