/**
 * The decision sinks of the local loop (emulator mode, demo policy): SMN and Cloud Eye go
 * to the emulator, a local webhook receiver prints each delivery, and a redis-server of its
 * own holds the guard state and the decision history (when redis-server is on PATH), so a
 * kill shows its notification, its metric and its `dcs-session-guard history` entry.
 */
import type { Policy } from '../../lib/policy';
import { spawnRedisServer, type RedisProcess } from '../emulator/redis-process';
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

export async function startLocalSinks(emulatorUrl: string, print: (line: string) => void): Promise<LocalSinks> {
  const receiver: WebhookReceiver = await startWebhookReceiver({ onDelivery: (d) => print(describeDelivery(d)) });
  let redis: RedisProcess | null = null;
  let historyWhyNot: string | null = null;
  try {
    redis = await spawnRedisServer();
  } catch (e) {
    historyWhyNot = e instanceof Error ? e.message : String(e);
  }
  const webhookUrl = `${receiver.origin}/dcs-guard`;
  const smnTopicUrn = `urn:smn:${DEMO.region}:${DEMO.projectId}:dcs-guard-demo`;
  const historyRedisUrl = redis ? `redis://${redis.host}:${redis.port}` : null;
  return {
    env: {
      SMN_ENDPOINT: emulatorUrl,
      CES_ENDPOINT: emulatorUrl,
      DEMO_WEBHOOK_URL: webhookUrl,
      DEMO_WEBHOOK_SECRET,
      ...(historyRedisUrl ? { GUARD_REDIS_URL: historyRedisUrl } : {}),
    },
    policy: (demo) => ({
      ...demo,
      notify: { ...demo.notify, smnTopicUrn, webhooks: [{ name: 'local', urlEnv: 'DEMO_WEBHOOK_URL', format: 'generic', secretEnv: 'DEMO_WEBHOOK_SECRET' }] },
      metrics: { ...demo.metrics, enabled: true },
    }),
    info: { webhookUrl, smnTopicUrn, historyRedisUrl, historyWhyNot },
    close: async () => {
      await receiver.close();
      await redis?.stop();
    },
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
