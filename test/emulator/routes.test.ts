/**
 * Each DCS route's validation and errors, plus authentication over HTTP: requests signed by
 * sdk-core's AKSKSigner, sent raw so a test can tamper with them after signing.
 */
import { createHash } from 'node:crypto';
import { startEmulator, type Emulator } from '../../dev/emulator/server';
import { SimulatedSessionBackend } from '../../dev/emulator/sessions';
import { DEMO, demoIdentity, manualClock, rawRequest, signedRequest, type SignedCall } from './support';

const P = `/v2/${DEMO.projectId}`;
const killPath = (instance: string) => `${P}/instances/${instance}/clients/kill-all`;

describe('DCS routes', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ jobDurationMs: 0, maxBodyBytes: 1024 });
  });
  afterAll(() => emulator.close());
  beforeEach(() => emulator.reset());

  const send = (call: SignedCall) => signedRequest(emulator, call);
  const errorOf = async (call: SignedCall) => {
    const r = await send(call);
    return { status: r.status, ...(r.json as { error_code: string; error_msg: string }) };
  };
  const shopNode = () => emulator.state.nodes(DEMO.projectId, DEMO.shop)[0]!.node_id;

  it('answers every call with an x-request-id', async () => {
    const ok = await send({ method: 'GET', path: `${P}/instances/${DEMO.shop}` });
    const bad = await send({ method: 'GET', path: `${P}/instances/nope` });
    expect(ok.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(ok.headers['x-request-id']).not.toBe(bad.headers['x-request-id']);
  });

  describe('kill-all', () => {
    it('needs node_id unless kill_all_nodes is true', async () => {
      for (const body of [{}, { kill_all_nodes: false }, { node_id: '' }]) {
        expect(await errorOf({ method: 'POST', path: killPath(DEMO.shop), body })).toMatchObject({ status: 400, error_code: 'DCS.4000' });
      }
      const one = await send({ method: 'POST', path: killPath(DEMO.shop), body: { node_id: shopNode() } });
      const all = await send({ method: 'POST', path: killPath(DEMO.shop), body: { kill_all_nodes: true } });
      expect([one.status, all.status]).toEqual([200, 200]);
    });

    it('rejects wrongly typed fields and a body that is not an object', async () => {
      expect(await errorOf({ method: 'POST', path: killPath(DEMO.shop), body: { kill_all_nodes: 'yes' } })).toMatchObject({ status: 400, error_code: 'DCS.4000' });
      expect(await errorOf({ method: 'POST', path: killPath(DEMO.shop), body: { node_id: 42 } })).toMatchObject({ status: 400, error_code: 'DCS.4000' });
      expect(await errorOf({ method: 'POST', path: killPath(DEMO.shop), body: [1] })).toMatchObject({ status: 400, error_code: 'DCS.4000' });
    });

    it('refuses an unknown node with 400, and the alarm dimension value is not a node_id', async () => {
      const unknown = await errorOf({ method: 'POST', path: killPath(DEMO.shop), body: { node_id: DEMO.alarmedDimension } });
      expect(unknown).toMatchObject({ status: 400, error_code: 'DCS.4012' });
      // A node of another instance is not a node of this one.
      const proxyNode = emulator.state.nodes(DEMO.projectId, DEMO.proxy)[0]!.node_id;
      expect(await errorOf({ method: 'POST', path: killPath(DEMO.shop), body: { node_id: proxyNode } })).toMatchObject({ status: 400, error_code: 'DCS.4012' });
    });

    it('refuses an unknown instance with 404', async () => {
      expect(await errorOf({ method: 'POST', path: killPath('00000000-0000-4000-8000-000000000000'), body: { kill_all_nodes: true } })).toMatchObject({ status: 404, error_code: 'DCS.4010' });
    });

    it('refuses an instance that is not RUNNING with DCS.4957', async () => {
      for (const instance of [DEMO.frozen, DEMO.restarting]) {
        expect(await errorOf({ method: 'POST', path: killPath(instance), body: { kill_all_nodes: true } })).toEqual({
          status: 400,
          error_code: 'DCS.4957',
          error_msg: 'This operation is not allowed when the task is in the current state.',
        });
      }
    });

    it('refuses Memcached and Redis 3.0', async () => {
      for (const instance of [DEMO.memcached, DEMO.redis3]) {
        expect(await errorOf({ method: 'POST', path: killPath(instance), body: { kill_all_nodes: true } })).toMatchObject({ status: 400, error_code: 'DCS.4026' });
      }
    });

    it('answers bad JSON with 400 and still records the request', async () => {
      const r = await errorOf({ method: 'POST', path: killPath(DEMO.shop), body: { kill_all_nodes: true }, sendBody: '{"kill_all_nodes": tru' });
      // The signature covered another body: auth fails first, as the gateway checks it first.
      expect(r.status).toBe(401);
      // Signed properly (the SDK signer takes the declared body hash), but not JSON.
      const declared = { 'X-Sdk-Content-Sha256': createHash('sha256').update('{oops').digest('hex') };
      const badJson = await errorOf({ method: 'POST', path: killPath(DEMO.shop), sendBody: '{oops', headers: declared });
      expect(badJson).toMatchObject({ status: 400, error_code: 'DCS.4001' });
      expect(emulator.requests.at(-1)).toMatchObject({ body: null, rawBody: '{oops', status: 400 });
    });

    it('caps the body size', async () => {
      const body = { node_id: 'x'.repeat(2000) };
      expect(await errorOf({ method: 'POST', path: killPath(DEMO.shop), body })).toMatchObject({ status: 413 });
    });
  });

  describe('jobs', () => {
    it('404s an unknown job, and a job of another project', async () => {
      expect(await errorOf({ method: 'GET', path: `${P}/jobs/${'0'.repeat(32)}` })).toMatchObject({ status: 404, error_code: 'DCS.4011' });
      const kill = await send({ method: 'POST', path: killPath(DEMO.shop), body: { kill_all_nodes: true } });
      const jobId = (kill.json as { job_id: string }).job_id;
      const real = { ak: DEMO.real.ak, sk: DEMO.real.sk, projectId: DEMO.real.projectId };
      const r = await signedRequest(emulator, { method: 'GET', path: `/v2/${DEMO.real.projectId}/jobs/${jobId}` }, real);
      expect(r.status).toBe(404);
    });
  });

  describe('instance and nodes', () => {
    it('404s an unknown instance on both reads', async () => {
      const id = '00000000-0000-4000-8000-000000000000';
      expect(await errorOf({ method: 'GET', path: `${P}/instances/${id}` })).toMatchObject({ status: 404, error_code: 'DCS.4010' });
      expect(await errorOf({ method: 'GET', path: `${P}/instances/${id}/logical-nodes` })).toMatchObject({ status: 404, error_code: 'DCS.4010' });
    });

    it('reads instances that are not RUNNING (reads are always allowed)', async () => {
      const r = await send({ method: 'GET', path: `${P}/instances/${DEMO.frozen}` });
      expect(r.json).toMatchObject({ status: 'FROZEN' });
    });

    it('gives proxy nodes their dcs_cluster_proxy2_node dimension', async () => {
      const r = await send({ method: 'GET', path: `${P}/instances/${DEMO.proxy}/logical-nodes` });
      const nodes = (r.json as { nodes: Array<{ node_role: string; node_type: string; dimensions: Array<{ name: string }> }> }).nodes;
      const proxies = nodes.filter((n) => n.node_role === 'redis-proxy');
      expect(proxies.length).toBeGreaterThan(0);
      expect(proxies.every((n) => n.node_type === 'proxy' && n.dimensions.some((d) => d.name === 'dcs_cluster_proxy2_node'))).toBe(true);
    });
  });

  describe('sessions: scan and list', () => {
    const listPath = `${P}/instances/${DEMO.shop}/clients`;

    it('validates node_id, offset and limit (1 to 1000, default 10)', async () => {
      const node = shopNode();
      await send({ method: 'POST', path: listPath, body: { node_id: node } });
      expect(await errorOf({ method: 'GET', path: listPath })).toMatchObject({ status: 400, error_code: 'DCS.4000' });
      for (const limit of ['0', '1001', 'x', '-1']) {
        expect(await errorOf({ method: 'GET', path: listPath, query: { node_id: node, limit } })).toMatchObject({ status: 400, error_code: 'DCS.4000' });
      }
      expect(await errorOf({ method: 'GET', path: listPath, query: { node_id: node, offset: '-2' } })).toMatchObject({ status: 400 });
      const max = await send({ method: 'GET', path: listPath, query: { node_id: node, limit: '1000' } });
      expect(max.status).toBe(200);
    });

    it('answers 500 before the node was scanned, as documented', async () => {
      expect(await errorOf({ method: 'GET', path: listPath, query: { node_id: shopNode() } })).toMatchObject({ status: 500, error_code: 'DCS.5005' });
    });

    it('scan needs a known node', async () => {
      expect(await errorOf({ method: 'POST', path: listPath, body: {} })).toMatchObject({ status: 400, error_code: 'DCS.4000' });
      expect(await errorOf({ method: 'POST', path: listPath, body: { node_id: 'f'.repeat(32) } })).toMatchObject({ status: 400, error_code: 'DCS.4012' });
    });

    it('defaults the page size to 10', async () => {
      const node = emulator.state.nodes(DEMO.projectId, DEMO.shop)[0]!;
      const backend = emulator.state.sessions;
      if (!(backend instanceof SimulatedSessionBackend)) throw new Error('the default backend is the simulated one');
      backend.addSessions(
        node.node_id,
        Array.from({ length: 15 }, (_, i) => ({ id: `9${i}`, addr: `10.9.9.${i}:5000`, name: '', age: 1, idle: 1, db: 0, flags: 'N', cmd: 'get' })),
      );
      await send({ method: 'POST', path: listPath, body: { node_id: node.node_id } });
      const r = await send({ method: 'GET', path: listPath, query: { node_id: node.node_id } });
      const page = r.json as { count: number; clients: unknown[] };
      expect(page.clients).toHaveLength(10);
      expect(page.count).toBeGreaterThan(15);
    });
  });

  it('404s a path that is no DCS call, with the gateway code', async () => {
    expect(await errorOf({ method: 'GET', path: `${P}/instances/${DEMO.shop}/clients/kill-all` })).toMatchObject({ status: 404, error_code: 'APIGW.0101' });
    expect(await errorOf({ method: 'DELETE', path: `${P}/instances/${DEMO.shop}` })).toMatchObject({ status: 404, error_code: 'APIGW.0101' });
    expect(emulator.requests.map((r) => r.operation)).toEqual(['unknown', 'unknown']);
  });
});

describe('authentication over HTTP', () => {
  const clock = manualClock();
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ now: clock.now });
  });
  afterAll(() => emulator.close());
  beforeEach(() => {
    emulator.reset();
    clock.set(Date.now());
  });

  const show: SignedCall = { method: 'GET', path: `${P}/instances/${DEMO.shop}` };

  it('accepts a request signed by the SDK signer', async () => {
    expect((await signedRequest(emulator, show)).status).toBe(200);
    expect(emulator.requests[0]?.authOk).toBe(true);
  });

  it('refuses a stale date and a future date (clock 20 minutes off)', async () => {
    clock.set(Date.now() + 20 * 60_000);
    expect((await signedRequest(emulator, show)).json).toMatchObject({ error_code: 'APIGW.0301', error_msg: expect.stringContaining('x-sdk-date') });
    clock.set(Date.now() - 20 * 60_000);
    expect((await signedRequest(emulator, show)).status).toBe(401);
  });

  it('refuses a body changed after signing', async () => {
    const r = await signedRequest(emulator, { method: 'POST', path: killPath(DEMO.shop), body: { node_id: 'a'.repeat(32) }, sendBody: JSON.stringify({ kill_all_nodes: true }) });
    expect(r.status).toBe(401);
    expect(emulator.requests[0]).toMatchObject({ authOk: false, status: 401, body: { kill_all_nodes: true } });
    expect(emulator.state.allJobs()).toHaveLength(0);
  });

  it('refuses an unsigned request and a garbled Authorization header', async () => {
    const bare = await rawRequest(`${emulator.url}${show.path}`, 'GET', {});
    expect(bare).toMatchObject({ status: 401, json: { error_code: 'APIGW.0301' } });
    const garbled = await rawRequest(`${emulator.url}${show.path}`, 'GET', { Authorization: 'SDK-HMAC-SHA256 nonsense' });
    expect(garbled.status).toBe(401);
  });

  it('refuses with 403 a project id that is not the credential project, in the header or the path', async () => {
    const otherProject = await signedRequest(emulator, { ...show, headers: { 'X-Project-Id': DEMO.real.projectId } });
    expect(otherProject).toMatchObject({ status: 403, json: { error_code: 'APIGW.0302' } });
    const otherPath = await signedRequest(emulator, { method: 'GET', path: `/v2/${DEMO.real.projectId}/instances/${DEMO.real.instance}` });
    expect(otherPath.status).toBe(403);
    const real = { ak: DEMO.real.ak, sk: DEMO.real.sk, projectId: DEMO.real.projectId };
    expect((await signedRequest(emulator, { method: 'GET', path: `/v2/${DEMO.real.projectId}/instances/${DEMO.real.instance}` }, real)).status).toBe(200);
  });

  it('never echoes the SK in an error', async () => {
    const r = await signedRequest(emulator, show, { ...demoIdentity, sk: 'WRONG-SK-123' });
    expect(r.text).not.toContain('WRONG-SK-123');
    expect(r.text).not.toContain(DEMO.sk);
  });
});
