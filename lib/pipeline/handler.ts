import type { Trigger } from '../domain/types';
import { isApigEvent } from '../events';
import type { Handler } from '../fg/types';
import { Container } from '../runtime/container';
import { planningFailure } from './decision';
import { alarmStory } from './alarm';
import { cronStory } from './cron';
import { Invocation, type HandlerResult } from './invocation';
import type { Step } from './plan';

export type { HandlerResult };

/** A story turns an event into steps — plans and decisions — and never acts. */
export type Story = (event: unknown, inv: Invocation) => AsyncIterable<Step>;

/**
 * Wraps a story into a FunctionGraph handler: parse → plan → execute → audit,
 * one step at a time (each decision is on record before the next step starts),
 * then the answer the decisions add up to. Nothing is ever thrown to the platform.
 */
function makeHandler(trigger: Trigger, story: Story, bundleDir: string): Handler<unknown, HandlerResult> {
  let container: Container | undefined;
  return async (event, context) => {
    // A snapshot: FunctionGraph changes a function's environment only by starting new containers,
    // and every read of process.env is a getenv, several per event otherwise.
    container ??= new Container({ ...process.env }, bundleDir);
    const inv = new Invocation(container, context, { trigger, apig: trigger === 'alarm' && isApigEvent(event) });
    try {
      for await (const step of story(event, inv)) await inv.take(step);
    } catch (e) {
      inv.record(planningFailure(e));
    }
    return inv.finish();
  };
}

/** Cloud Eye alarms: SMN trigger, APIG webhook, or a bare SMN HTTP message. */
export const alarmHandler = (bundleDir: string) => makeHandler('alarm', alarmStory, bundleDir);

/** Timer ticks: the schedules of the policy. */
export const cronHandler = (bundleDir: string) => makeHandler('timer', cronStory, bundleDir);
