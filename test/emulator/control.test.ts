/**
 * The control API (/__emulator/...) for out-of-process tests, and its separation from the
 * DCS routes: unauthenticated, never recorded, never faulted.
 */
import { isLoopback } from '../../dev/emulator/http';
import { startEmulator, type Emulator } from '../../dev/emulator/server';
import { DEMO, rawRequest, signedRequest } from './support';

describe('control API', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ jobDurationMs: 0 });
  });
  afterAll(() => emulator.close());
  beforeEach(() => emulator.reset());

  const control = (method: string, path: string, body?: unknown) =>
    rawRequest(`${emulator.url}/__emulator/${path}`, method, body === undefined ? {} : { 'content-type': 'application/json' }, body === undefined ? '' : JSON.stringify(body));
  const showShop = () => signedRequest(emulator, { method: 'GET', path: `/v2/${DEMO.projectId}/instances/${DEMO.shop}` });

  it('lists recorded DCS requests, and is not recorded itself', async () => {
    await showShop();
    const r = await control('GET', 'requests');
    const requests = (r.json as { requests: Array<{ operation: string; authOk: boolean }> }).requests;
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ operation: 'showInstance', authOk: true, status: 200 });
    expect(emulator.requests).toHaveLength(1);
    expect((await control('DELETE', 'requests')).status).toBe(204);
    expect(emulator.requests).toHaveLength(0);
  });

  it('redacts a security token from recorded requests', async () => {
    await rawRequest(`${emulator.url}/v2/${DEMO.projectId}/instances/${DEMO.shop}`, 'GET', { 'X-Security-Token': 'SECRET-TOKEN-VALUE' });
    const r = await control('GET', 'requests');
    expect(r.text).not.toContain('SECRET-TOKEN-VALUE');
    expect(r.text).toContain('[redacted]');
  });

  it('adds, lists and removes faults; a bad spec is a 400 naming the problem', async () => {
    const added = await control('POST', 'faults', { operation: 'showInstance', status: 500, errorCode: 'DCS.5001' });
    expect(added.status).toBe(201);
    const { id } = added.json as { id: number };
    expect((await control('GET', 'faults')).json).toEqual({ faults: [expect.objectContaining({ id, operation: 'showInstance', status: 500 })] });
    expect((await showShop()).json).toMatchObject({ error_code: 'DCS.5001' });
    expect((await control('DELETE', `faults/${id}`)).status).toBe(204);
    expect((await showShop()).status).toBe(200);
    expect((await control('DELETE', `faults/${id}`)).status).toBe(404);

    const bad = await control('POST', 'faults', { status: 'often' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('status');
    const unknownField = await control('POST', 'faults', { status: 500, sometimes: true });
    expect(unknownField.status).toBe(400);
    expect((await control('POST', 'faults', undefined)).status).toBe(400);
  });

  it('is never faulted', async () => {
    emulator.faults.add({ status: 500 });
    expect((await control('GET', 'faults')).status).toBe(200);
  });

  it('shows the state without secret keys', async () => {
    const r = await control('GET', 'state');
    expect(r.status).toBe(200);
    expect(r.text).not.toContain(DEMO.sk);
    const state = r.json as { projects: Array<{ project_id: string; access_keys: string[]; instances: Array<{ instance_id: string; nodes: Array<{ sessions: unknown[] }> }> }> };
    const demo = state.projects.find((p) => p.project_id === DEMO.projectId);
    expect(demo?.access_keys).toEqual([DEMO.ak]);
    const shop = demo?.instances.find((i) => i.instance_id === DEMO.shop);
    expect(shop?.nodes.every((n) => n.sessions.length > 0)).toBe(true);
  });

  it('changes an instance status, validated', async () => {
    expect((await control('POST', `instances/${DEMO.shop}/status`, { status: 'RESTARTING' })).status).toBe(204);
    const kill = await signedRequest(emulator, { method: 'POST', path: `/v2/${DEMO.projectId}/instances/${DEMO.shop}/clients/kill-all`, body: { kill_all_nodes: true } });
    expect(kill.json).toMatchObject({ error_code: 'DCS.4957' });
    expect((await control('POST', `instances/${DEMO.shop}/status`, { status: 'ASLEEP' })).status).toBe(400);
    expect((await control('POST', 'instances/nope/status', { status: 'RUNNING' })).status).toBe(404);
  });

  it('resets state, requests and faults', async () => {
    await control('POST', `instances/${DEMO.shop}/status`, { status: 'FROZEN' });
    await control('POST', 'faults', { operation: 'listClients', status: 500 });
    await showShop();
    expect((await control('POST', 'reset')).status).toBe(204);
    expect(emulator.requests).toHaveLength(0);
    expect(emulator.faults.list()).toEqual([]);
    expect((await showShop()).json).toMatchObject({ status: 'RUNNING' });
  });

  it('answers 404 for an unknown control route', async () => {
    expect((await control('GET', 'nothing')).status).toBe(404);
  });
});

describe('the control API is for loopback clients only', () => {
  it('recognises loopback addresses, IPv4-mapped ones too, and nothing else', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) expect(isLoopback(a)).toBe(true);
    for (const a of ['10.0.0.1', '::ffff:10.0.0.1', '192.168.0.54', '::', undefined]) expect(isLoopback(a)).toBe(false);
  });
});
