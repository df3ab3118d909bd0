import type { AuditRecord, Trigger } from '../domain/types';
import type { ApigResponse, Handler } from '../fg/types';
import { Container } from '../runtime/container';
import { internalError } from './act';
import { runAlarm } from './alarm';
import { runCron } from './cron';
import { Invocation } from './invocation';

export type HandlerResult = ApigResponse | { results: AuditRecord[] };

type Story = (event: unknown, inv: Invocation) => Promise<void>;

/**
 * Wraps a story into a FunctionGraph handler: one container per warm
 * instance, one invocation per call, and nothing ever thrown to the platform.
 */
function makeHandler(trigger: Trigger, story: Story, bundleDir: string): Handler<unknown, HandlerResult> {
  let container: Container | undefined;
  return async (event, context) => {
    container ??= new Container(process.env, bundleDir);
    const inv = new Invocation(container, context, { trigger, apig: trigger === 'alarm' && looksLikeApig(event) });
    try {
      await story(event, inv);
    } catch (e) {
      inv.escalate(500);
      inv.auditor.record({ decision: 'failed', reason: 'Unexpected internal error; no further action taken.', error: internalError(e) });
    }
    return inv.respond();
  };
}

/** Cloud Eye alarms: SMN trigger, APIG webhook, or a bare SMN HTTP message. */
export const alarmHandler = (bundleDir: string) => makeHandler('alarm', runAlarm, bundleDir);

/** Timer ticks: the schedules of the policy. */
export const cronHandler = (bundleDir: string) => makeHandler('timer', runCron, bundleDir);

/** APIG events must get an APIG-shaped answer even when their content is garbage. */
function looksLikeApig(event: unknown): boolean {
  if (typeof event !== 'object' || event === null) return false;
  return 'httpMethod' in event || 'requestContext' in event || ('body' in event && 'headers' in event);
}
