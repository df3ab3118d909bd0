import { startEmulator, type Emulator, type RecordedRequest } from '../../dev/emulator/server';
import { fixture, invokeBundle, type FunctionName, type InvokeOptions } from './bundle';
import { useSuiteResource } from './suite-resource';

/** The fixtures' project and the demo seed's credentials for it. */
export const PROJECT = '0b8f4a2e5c6d47e1a9b3c8d7e6f5a4b3';
export const DEMO = { ak: 'DEMOACCESSKEYID00001', sk: 'DEMO-SECRET-KEY-not-a-real-secret-00001' };
export const REAL_PROJECT = '477a784601d744e4ab9ab83986502d31';
export const REAL_DEMO = { ak: 'DEMOACCESSKEYID00002' };

/** Seed instances (dev/emulator/seeds/demo.json). */
export const INSTANCES = {
  shop: '5e2b1c9a-7f3d-4d2e-9b8a-1c2d3e4f5a6b',
  proxy: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
  memcached: '6c7d8e9f-0a1b-4c2d-8e3f-4a5b6c7d8e9f',
  redis3: '7d8e9f0a-1b2c-4d3e-9f4a-5b6c7d8e9f0a',
  frozen: '8e9f0a1b-2c3d-4e4f-8a5b-6c7d8e9f0a1b',
  real: '3dc7b9ea-70b4-4c38-942d-e2636e6d844c',
} as const;
/** The fixture node alarm's dimension value, and the node_id the API knows it by. */
export const FIXTURE_NODE = { dimension: '3f1e2d3c4b5a69788796a5b4c3d2e1f0', nodeId: 'eb4debb56ba8d632dae03afc167a8f9b' };

/** A policy that acts (dryRun false) on the fixtures' alarms, with a short job wait. */
export const ACTING_POLICY = {
  version: 1,
  dryRun: false,
  instances: { allow: ['*'], deny: [] as string[] },
  alarms: [
    { name: 'connection-pressure', match: { metrics: ['connections_usage', 'connected_clients', 'rejected_connections'] }, scope: 'auto' },
    { name: 'templated-dcs', match: { formats: ['templated'], alarmNames: ['alarm-*'] }, scope: 'instance' },
  ],
  schedules: { nightly: { targets: [{ instance: INSTANCES.shop, nodes: 'all' }] } },
  guard: { cooldownSeconds: 900, maxKillsPerHour: 20 },
  jobs: { waitSeconds: 3 },
  // Exact request sequences stay readable; the snapshot has its own tests (alarm.test.ts, e2e/).
  audit: { snapshotSessions: false },
};

/** An emulator plus the env that points a bundle at it. */
export class Scenario {
  private constructor(readonly emulator: Emulator) {}

  static async start(opts: { jobDurationMs?: number } = {}): Promise<Scenario> {
    return new Scenario(await startEmulator({ port: 0, jobDurationMs: opts.jobDurationMs ?? 50 }));
  }

  env(overrides: Record<string, string | undefined> = {}, policy: object = ACTING_POLICY): Record<string, string | undefined> {
    return {
      HUAWEICLOUD_SDK_AK: DEMO.ak,
      HUAWEICLOUD_SDK_SK: DEMO.sk,
      HUAWEICLOUD_SDK_PROJECT_ID: PROJECT,
      DCS_ENDPOINT: this.emulator.url,
      GUARD_POLICY: JSON.stringify(policy),
      // Tests never reach out of this machine: no certificate download, no confirmation GET, unless a test allows a local host.
      SMN_CERT_HOSTS: 'none',
      SMN_CONFIRM_HOSTS: 'none',
      ...overrides,
    };
  }

  invoke(fn: FunctionName, events: unknown[], opts: InvokeOptions = {}) {
    return invokeBundle(fn, events, { ...opts, env: this.env(opts.env ?? {}) });
  }

  /** The DCS operations received, in order, e.g. ['showInstance', 'hangUpKillAllClients', 'showJobInfo']. */
  operations(): string[] {
    return this.emulator.requests.map((r) => r.operation);
  }

  killRequests(): RecordedRequest[] {
    return this.emulator.requests.filter((r) => r.operation === 'hangUpKillAllClients');
  }

  reset(): void {
    this.emulator.reset();
  }

  close(): Promise<void> {
    return this.emulator.close();
  }
}

/** A fixture SMN-trigger alarm with its message fields replaced (e.g. another instance). */
export function alarmEvent(name: string, patch: (message: Record<string, any>) => void, messageId?: string): any {
  const event = fixture(name);
  const smn = event.record[0].smn;
  const message = JSON.parse(smn.message);
  patch(message);
  smn.message = JSON.stringify(message);
  if (messageId) smn.message_id = messageId;
  return event;
}

/** The instance alarm fixture aimed at another instance, with a fresh message id. */
export function instanceAlarmOn(instanceId: string, messageId: string): any {
  return alarmEvent(
    'smn-trigger.instance-alarm.json',
    (m) => {
      m.dimension = `dcs_instance_id:${instanceId}`;
      m.template_variable.ResourceId = instanceId;
    },
    messageId,
  );
}

/** The suite's emulator scenario: started once, its recordings and faults reset before each test. */
export function useScenario(opts: { jobDurationMs?: number } = {}): Scenario {
  return useSuiteResource(() => Scenario.start(opts), { reset: (s) => s.reset(), close: (s) => s.close() });
}

/** The sample APIG webhook event, unsigned (for SMN_ALLOW_UNSIGNED), as notification `messageId`. */
export function unsignedWebhookEvent(messageId: string): any {
  const event = fixture('apig.smn-notification.json');
  const { signature: _unsigned, ...message } = JSON.parse(Buffer.from(event.body, 'base64').toString('utf8'));
  return {
    ...event,
    headers: { ...event.headers, 'x-smn-message-id': messageId },
    body: Buffer.from(JSON.stringify({ ...message, message_id: messageId })).toString('base64'),
  };
}
