/**
 * Seed validation (one clear error listing every problem) and the promises the demo seed makes
 * to the rest of the project (fixture ids, dimensions, the instance zoo).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSeedFile, parseSeed, SeedError, type Seed } from '../../dev/emulator/seed';
import demoSeed from '../../dev/emulator/seeds/demo.json';
import { startEmulator } from '../../dev/emulator/server';
import { DEMO } from './support';

const dir = mkdtempSync(join(tmpdir(), 'emulator-seed-'));
const demo = () => structuredClone(demoSeed) as Seed;

function seedError(input: unknown): SeedError {
  try {
    parseSeed(input);
  } catch (e) {
    if (e instanceof SeedError) return e;
    throw e;
  }
  throw new Error('expected a SeedError');
}

describe('seed validation', () => {
  it('accepts the demo seed', () => {
    expect(parseSeed(demoSeed).projects).toHaveLength(2);
  });

  it('reports every shape problem with its path in one error', () => {
    const bad = demo();
    const shop = bad.projects[0]!.instances[0]!;
    shop.engine = 'Valkey' as never;
    shop.nodes[0]!.node_id = 'not-hex';
    const e = seedError(bad);
    expect(e.code).toBe('SEED_INVALID');
    expect(e.message).toContain('projects.0.instances.0.engine');
    expect(e.message).toContain('projects.0.instances.0.nodes.0.node_id');
  });

  it('then checks consistency: every node carries its dcs_instance_id dimension', () => {
    const bad = demo();
    bad.projects[0]!.instances[0]!.nodes[1]!.dimensions = [{ name: 'dcs_cluster_redis_node', value: 'x' }];
    expect(seedError(bad).message).toContain('projects.0.instances.0.nodes.1.dimensions: missing dimension {name: "dcs_instance_id"');
  });

  it('catches duplicates', () => {
    const bad = demo();
    bad.projects[1]!.credentials[0]!.ak = DEMO.ak;
    expect(seedError(bad).message).toContain('projects.1.credentials.0.ak: duplicate ak');
  });

  it('refuses unknown fields: a typo is not silently ignored', () => {
    const bad = demo();
    (bad.projects[0]!.instances[0]!.nodes[0] as Record<string, unknown>)['sesions'] = [];
    expect(seedError(bad).message).toContain('sesions');
  });

  it('names an unreadable file and a file that is not JSON', () => {
    expect(() => loadSeedFile(join(dir, 'missing.json'))).toThrow(expect.objectContaining({ code: 'SEED_UNREADABLE', message: expect.stringContaining('ENOENT') }));
    const notJson = join(dir, 'broken.json');
    writeFileSync(notJson, '{ "projects": [');
    expect(() => loadSeedFile(notJson)).toThrow(expect.objectContaining({ code: 'SEED_NOT_JSON', message: expect.stringContaining(notJson) }));
  });

  it('makes startEmulator reject, listening on nothing', async () => {
    const file = join(dir, 'invalid.json');
    writeFileSync(file, JSON.stringify({ projects: [] }));
    await expect(startEmulator({ seed: file })).rejects.toMatchObject({ name: 'SeedError', code: 'SEED_INVALID', message: expect.stringContaining(file) });
  });

  it('loads a valid seed file', async () => {
    const file = join(dir, 'valid.json');
    writeFileSync(file, JSON.stringify(demoSeed));
    const emulator = await startEmulator({ seed: file });
    expect(emulator.state.instance(DEMO.projectId, DEMO.shop)?.name).toBe('shop-cache');
    await emulator.close();
  });
});

describe('the demo seed', () => {
  const seed = parseSeed(demoSeed);
  const project = (id: string) => seed.projects.find((p) => p.project_id === id)!;
  const instances = project(DEMO.projectId).instances;
  const byId = (id: string) => instances.find((i) => i.instance_id === id)!;

  it("holds the fixtures' project and instance, with the alarmed node behind a different node_id", () => {
    const shop = byId(DEMO.shop);
    expect(shop).toMatchObject({ name: 'shop-cache', engine: 'Redis', engine_version: '6.0', cache_mode: 'cluster', status: 'RUNNING' });
    expect(shop.nodes.length).toBeGreaterThanOrEqual(3);
    const alarmed = shop.nodes.filter((n) => n.dimensions.some((d) => d.name === 'dcs_cluster_redis_node' && d.value === DEMO.alarmedDimension));
    expect(alarmed).toHaveLength(1);
    expect(alarmed[0]!.node_id).not.toBe(DEMO.alarmedDimension);
  });

  it('has the instance zoo: proxy with proxy2 dimensions, Memcached, Redis 3.0, not RUNNING', () => {
    const proxy = byId(DEMO.proxy);
    expect(proxy.cache_mode).toBe('proxy');
    expect(Number(proxy.engine_version)).toBeGreaterThanOrEqual(4);
    expect(proxy.nodes.filter((n) => n.node_role === 'redis-proxy').every((n) => n.dimensions.some((d) => d.name === 'dcs_cluster_proxy2_node'))).toBe(true);
    expect(byId(DEMO.memcached).engine).toBe('Memcached');
    expect(byId(DEMO.redis3).engine_version).toBe('3.0');
    expect(['FROZEN', 'RESTARTING']).toContain(byId(DEMO.frozen).status);
  });

  it("holds the real capture's instance under its own project and credentials", () => {
    const real = project(DEMO.real.projectId);
    expect(real.credentials[0]?.ak).toBe(DEMO.real.ak);
    expect(real.instances.find((i) => i.instance_id === DEMO.real.instance)?.name).toBe('dcs-h4tv');
  });

  it('gives every node of a session-capable instance a few sessions on its client-facing nodes', () => {
    const shop = byId(DEMO.shop);
    expect(shop.nodes.every((n) => n.sessions.length > 0)).toBe(true);
    const proxies = byId(DEMO.proxy).nodes.filter((n) => n.node_role === 'redis-proxy');
    expect(proxies.every((n) => n.sessions.length > 0)).toBe(true);
  });
});
