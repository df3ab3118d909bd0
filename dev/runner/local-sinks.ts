/**
 * The decision sinks of the local loop (emulator mode, demo policy): SMN and Cloud Eye go
 * to the emulator, a local webhook receiver prints each delivery, and the decision history
 * goes to the guard store's redis-server (guard-store.ts; when there is one), so a kill shows
 * its notification, its metric and its `dcs-session-guard history` entry.
 */
import type { Policy } from '../../lib/policy';
import type { RunnerGuardStore } from './guard-store';
import { startWebhookReceiver, type ReceivedDelivery, type WebhookReceiver } from '../webhook-receiver';
import { DEMO } from './target';

/** The demo webhook's signing secret: a local stand-in, printed on purpose. */
const DEMO_WEBHOOK_SECRET = 'local-demo-webhook-secret';

export interface LocalSinks {
  /** Environment for the functions. */
  env: Record<string, string>;
  /** The demo policy plus notify (SMN + the local webhook) and metrics. */
  policy: (demo: Policy) => Policy;
  /** For the banner. */
  info: { webhookUrl: string; smnTopicUrn: string; historyRedisUrl: string | null; historyWhyNot: string | null };
  close(): Promise<void>;
}

export async function startLocalSinks(emulatorUrl: string, print: (line: string) => void, guardStore: Pick<RunnerGuardStore, 'redisUrl' | 'noRedisBecause'>): Promise<LocalSinks> {
  const receiver: WebhookReceiver = await startWebhookReceiver({ onDelivery: (d) => print(describeDelivery(d)) });
  const webhookUrl = `${receiver.origin}/dcs-guard`;
  const smnTopicUrn = `urn:smn:${DEMO.region}:${DEMO.projectId}:dcs-guard-demo`;
  const historyRedisUrl = guardStore.redisUrl;
  const historyWhyNot = guardStore.noRedisBecause;
  return {
    env: {
      SMN_ENDPOINT: emulatorUrl,
      CES_ENDPOINT: emulatorUrl,
      DEMO_WEBHOOK_URL: webhookUrl,
      DEMO_WEBHOOK_SECRET,
    },
    policy: (demo) => ({
      ...demo,
      notify: { ...demo.notify, smnTopicUrn, webhooks: [{ name: 'local', urlEnv: 'DEMO_WEBHOOK_URL', format: 'generic', secretEnv: 'DEMO_WEBHOOK_SECRET' }] },
      metrics: { ...demo.metrics, enabled: true },
    }),
    info: { webhookUrl, smnTopicUrn, historyRedisUrl, historyWhyNot },
    close: () => receiver.close(),
  };
}

function describeDelivery(d: ReceivedDelivery): string {
  let what = `${d.body.length} bytes`;
  try {
    const record = JSON.parse(d.body) as { decision?: string; reason?: string };
    what = `${record.decision}: ${record.reason}`;
  } catch {
    // not JSON: the size says enough
  }
  const signed = typeof d.headers['x-signature'] === 'string' ? ' (signed, X-Signature)' : '';
  return `[webhook] ${d.method} ${d.url}${signed} ${what}`;
}
