/** `dcs-session-guard sessions`: the built CLI against the emulator over signed HTTP, read-only. */
import { INSTANCES } from '../support/scenario';
import { runCli, useEmulatedApi } from './support';

const SHOP = INSTANCES.shop;
const PROXY_INSTANCE = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
const SHARD0_MASTER = 'eb4debb56ba8d632dae03afc167a8f9b';

interface JsonOut {
  instanceId: string;
  nodes: Array<{ nodeId: string; count: number; complete: boolean; sessions: Array<{ addr: string; name: string; idle: number }> }>;
}

describe('dcs-session-guard sessions', () => {
  const api = useEmulatedApi();

  test('one node, the idlest first, --idle filters; nothing is killed', async () => {
    const r = await runCli(['sessions', SHOP, '--node', SHARD0_MASTER, '--json'], { env: api.env() });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as JsonOut;
    expect(out.nodes).toHaveLength(1);
    const idles = out.nodes[0]!.sessions.map((s) => s.idle);
    expect(idles).toEqual([...idles].sort((a, b) => b - a));
    expect(out.nodes[0]!.count).toBe(idles.length);

    const idle = JSON.parse((await runCli(['sessions', SHOP, '--node', SHARD0_MASTER, '--idle', '26', '--json'], { env: api.env() })).stdout) as JsonOut;
    expect(idle.nodes[0]!.sessions.every((s) => s.idle >= 26)).toBe(true);
    expect(idle.nodes[0]!.sessions.length).toBeLessThan(idles.length);
    const ops = api.emulator.requests.map((r) => r.operation);
    expect(ops).not.toContain('hangUpClients');
    expect(ops).not.toContain('hangUpKillAllClients');
  });

  test('without --node: the proxies of a proxy instance, never its redis-servers; a table by default', async () => {
    const r = await runCli(['sessions', PROXY_INSTANCE], { env: api.env() });
    expect(r.code).toBe(0);
    const nodes = [...r.stdout.matchAll(/^node (\w+): (\d+) sessions/gm)].map((m) => m[1]);
    expect(nodes).toEqual(['0b2111a46ff3ad59b29c9ff70e2391f9', 'cd88644d41ac72b1691478adb806da39']);
    expect(r.stdout).toMatch(/^ADDR\s+NAME\s+IDLE\s+AGE\s+DB\s+CMD$/m);
  });

  test('a node that cannot be scanned: exit 1 and the reason; a bad instance id: exit 2, nothing sent', async () => {
    api.emulator.faults.add({ operation: 'scanClients', jobFail: 'node busy' });
    const failed = await runCli(['sessions', SHOP, '--node', SHARD0_MASTER], { env: api.env() });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('could not be read: scan of node');
    api.emulator.requests.length = 0;
    const bad = await runCli(['sessions', '../../x'], { env: api.env() });
    expect(bad.code).toBe(2);
    expect(api.emulator.requests).toHaveLength(0);
  });

  test('no credentials: exit 3 with what is missing', async () => {
    const r = await runCli(['sessions', SHOP], { env: { DCS_ENDPOINT: api.emulator.url } });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/HUAWEICLOUD_SDK/);
  });
});
