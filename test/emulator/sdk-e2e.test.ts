/**
 * The six DCS calls through a real sdk-core HcClient (ClientBuilder + sendRequest, the real
 * signer, real HTTP): the emulator accepts what the SDK sends and answers what it expects.
 */
import { startEmulator, type Emulator } from '../../dev/emulator/server';
import type { Seed } from '../../dev/emulator/seed';
import demoSeed from '../../dev/emulator/seeds/demo.json';
import { DEMO, sdkClient, sdkFailure, type HcClient } from './support';

const JSON_CT = 'application/json;charset=UTF-8';

describe('sdk-core client against the emulator', () => {
  let emulator: Emulator;
  let client: HcClient;

  beforeAll(async () => {
    emulator = await startEmulator({ jobDurationMs: 0 });
    client = sdkClient(emulator);
  });
  afterAll(() => emulator.close());
  beforeEach(() => emulator.reset());

  const call = (method: string, url: string, params: Record<string, string> = {}, extra: { data?: unknown; queryParams?: Record<string, string | number> } = {}) =>
    client.sendRequest({ method, url, contentType: JSON_CT, pathParams: params, ...extra });

  it('showInstance returns the instance with the wire field names', async () => {
    const r = await call('GET', '/v2/{project_id}/instances/{instance_id}', { instance_id: DEMO.shop });
    expect(r).toMatchObject({ httpStatusCode: 200, instance_id: DEMO.shop, name: 'shop-cache', engine: 'Redis', engine_version: '6.0', status: 'RUNNING', cache_mode: 'cluster' });
    const recorded = emulator.requests[0];
    expect(recorded).toMatchObject({ method: 'GET', path: `/v2/${DEMO.projectId}/instances/${DEMO.shop}`, operation: 'showInstance', authOk: true, status: 200 });
    expect(recorded?.headers['x-project-id']).toBe(DEMO.projectId);
  });

  it('showNodesInformation lists nodes whose dimensions map the alarm to a different node_id', async () => {
    const r = await call('GET', '/v2/{project_id}/instances/{instance_id}/logical-nodes', { instance_id: DEMO.shop });
    const nodes = r['nodes'] as Array<{ node_id: string; dimensions: Array<{ name: string; value: string }> }>;
    expect(r['total']).toBe(nodes.length);
    expect(nodes.length).toBeGreaterThanOrEqual(3);
    const alarmed = nodes.find((n) => n.dimensions.some((d) => d.name === 'dcs_cluster_redis_node' && d.value === DEMO.alarmedDimension));
    expect(alarmed).toBeDefined();
    expect(alarmed?.node_id).not.toBe(DEMO.alarmedDimension);
    expect(nodes.every((n) => n.dimensions.some((d) => d.name === 'dcs_instance_id' && d.value === DEMO.shop))).toBe(true);
  });

  it('hangUpKillAllClients returns a 32-hex job_id, and showJobInfo reports it done', async () => {
    const kill = await call('POST', '/v2/{project_id}/instances/{instance_id}/clients/kill-all', { instance_id: DEMO.shop }, { data: { kill_all_nodes: true } });
    expect(kill['job_id']).toMatch(/^[0-9a-f]{32}$/);
    const job = await call('GET', '/v2/{project_id}/jobs/{job_id}', { job_id: String(kill['job_id']) });
    expect(job).toMatchObject({ job_id: kill['job_id'], job_type: 'killAllClients', status: 'SUCCESS', fail_reason: null });
    expect(emulator.requests[0]?.body).toEqual({ kill_all_nodes: true });
  });

  it('scanClients then listClients pages through the node sessions', async () => {
    const nodeId = emulator.state.nodes(DEMO.projectId, DEMO.shop)[0]?.node_id ?? '';
    const scan = await call('POST', '/v2/{project_id}/instances/{instance_id}/clients', { instance_id: DEMO.shop }, { data: { node_id: nodeId } });
    expect(scan['job_id']).toMatch(/^[0-9a-f]{32}$/);
    const page = await call('GET', '/v2/{project_id}/instances/{instance_id}/clients', { instance_id: DEMO.shop }, { queryParams: { node_id: nodeId, offset: 1, limit: 2 } });
    const all = await emulator.state.sessions.listSessions(emulator.state.address(DEMO.shop, emulator.state.nodes(DEMO.projectId, DEMO.shop)[0]!));
    expect(page['count']).toBe(all.length);
    expect(page['clients']).toEqual(all.slice(1, 3));
    expect(emulator.requests.at(-1)?.query).toEqual({ node_id: nodeId, offset: '1', limit: '2' });
  });

  it('answers errors the SDK maps to ClientRequestException with error_code and request id', async () => {
    const e = await sdkFailure(call('GET', '/v2/{project_id}/instances/{instance_id}', { instance_id: '00000000-0000-4000-8000-000000000000' }));
    expect(e).toMatchObject({ name: 'ClientRequestException', httpStatusCode: 404, errorCode: 'DCS.4010' });
    expect(e.requestId).toBe(emulator.requests[0]?.requestId);
  });

  it('rejects the SDK signing with an unknown AK or a wrong SK (401 APIGW.0301)', async () => {
    const stranger = sdkClient(emulator, { ak: 'UNKNOWNAK00000000000', sk: DEMO.sk, projectId: DEMO.projectId });
    const wrongSk = sdkClient(emulator, { ak: DEMO.ak, sk: 'not-the-sk', projectId: DEMO.projectId });
    for (const c of [stranger, wrongSk]) {
      const e = await sdkFailure(c.sendRequest({ method: 'GET', url: '/v2/{project_id}/instances/{instance_id}', pathParams: { instance_id: DEMO.shop } }));
      expect(e).toMatchObject({ name: 'ClientRequestException', httpStatusCode: 401, errorCode: 'APIGW.0301' });
    }
    expect(emulator.requests.map((r) => r.authOk)).toEqual([false, false]);
  });

  it("rejects the other project's credential on this project (403)", async () => {
    const other = sdkClient(emulator, { ak: DEMO.real.ak, sk: DEMO.real.sk, projectId: DEMO.projectId });
    const e = await sdkFailure(other.sendRequest({ method: 'GET', url: '/v2/{project_id}/instances/{instance_id}', pathParams: { instance_id: DEMO.shop } }));
    expect(e).toMatchObject({ httpStatusCode: 403, errorCode: 'APIGW.0302' });
  });

  it("serves the real capture's instance under its own project and credentials", async () => {
    const real = sdkClient(emulator, { ak: DEMO.real.ak, sk: DEMO.real.sk, projectId: DEMO.real.projectId });
    const r = await real.sendRequest({ method: 'GET', url: '/v2/{project_id}/instances/{instance_id}', contentType: JSON_CT, pathParams: { instance_id: DEMO.real.instance } });
    expect(r).toMatchObject({ instance_id: DEMO.real.instance, name: 'dcs-h4tv' });
  });
});

describe('temporary credentials', () => {
  const token = 'DEMO-TEMPORARY-SECURITY-TOKEN';
  const seed = structuredClone(demoSeed) as Seed;
  seed.projects[0]!.credentials.push({ ak: 'DEMOTEMPORARYAK00001', sk: 'DEMO-TEMP-SK', security_token: token });
  let emulator: Emulator;

  beforeAll(async () => {
    emulator = await startEmulator({ seed });
  });
  afterAll(() => emulator.close());

  it('accepts the SDK with the right token and refuses it without', async () => {
    const withToken = sdkClient(emulator, { ak: 'DEMOTEMPORARYAK00001', sk: 'DEMO-TEMP-SK', projectId: DEMO.projectId, securityToken: token });
    const without = sdkClient(emulator, { ak: 'DEMOTEMPORARYAK00001', sk: 'DEMO-TEMP-SK', projectId: DEMO.projectId });
    const req = { method: 'GET', url: '/v2/{project_id}/instances/{instance_id}', contentType: JSON_CT, pathParams: { instance_id: DEMO.shop } };
    await expect(withToken.sendRequest(req)).resolves.toMatchObject({ httpStatusCode: 200 });
    await expect(sdkFailure(without.sendRequest(req))).resolves.toMatchObject({ httpStatusCode: 401, errorCode: 'APIGW.0301' });
  });
});
