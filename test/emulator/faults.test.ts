/**
 * Each fault kind, seen through the real sdk-core client (so the tests show what a DCS client
 * will face), and the rule that a faulted request is still recorded.
 */
import { FaultController, FaultSpecError } from '../../dev/emulator/faults';
import { startEmulator, type Emulator } from '../../dev/emulator/server';
import { DEMO, rawRequest, sdkClient, sdkFailure, signedRequest, type HcClient } from './support';

const JSON_CT = 'application/json;charset=UTF-8';

describe('fault injection', () => {
  let emulator: Emulator;
  let client: HcClient;
  beforeAll(async () => {
    emulator = await startEmulator({ jobDurationMs: 0 });
    client = sdkClient(emulator, undefined, 1000);
  });
  afterAll(() => emulator.close());
  beforeEach(() => emulator.reset());

  const showInstance = () => client.sendRequest({ method: 'GET', url: '/v2/{project_id}/instances/{instance_id}', contentType: JSON_CT, pathParams: { instance_id: DEMO.shop } });
  const killAll = () =>
    client.sendRequest({ method: 'POST', url: '/v2/{project_id}/instances/{instance_id}/clients/kill-all', contentType: JSON_CT, pathParams: { instance_id: DEMO.shop }, data: { kill_all_nodes: true } });

  it('error status with code: 5xx is a ServerResponseException, 4xx a ClientRequestException', async () => {
    emulator.faults.add({ operation: 'hangUpKillAllClients', status: 503, errorCode: 'DCS.5003', errorMsg: 'maintenance', times: 1 });
    emulator.faults.add({ operation: 'showInstance', status: 429 });
    expect(await sdkFailure(killAll())).toMatchObject({ name: 'ServerResponseException', httpStatusCode: 503, errorCode: 'DCS.5003', errorMsg: 'maintenance' });
    expect(await sdkFailure(showInstance())).toMatchObject({ name: 'ClientRequestException', httpStatusCode: 429, errorCode: 'APIGW.0308' });
    // times: 1 -> the second kill goes through.
    await expect(killAll()).resolves.toMatchObject({ httpStatusCode: 200 });
    expect(emulator.requests.map((r) => [r.operation, r.status])).toEqual([
      ['hangUpKillAllClients', 503],
      ['showInstance', 429],
      ['hangUpKillAllClients', 200],
    ]);
    // The faulted kill was recorded but created no job.
    expect(emulator.state.allJobs()).toHaveLength(1);
  });

  it('reset: the connection is destroyed, the request is recorded without a status', async () => {
    emulator.faults.add({ operation: 'hangUpKillAllClients', reset: true });
    const e = await sdkFailure(killAll());
    expect(e.name).toBe('ServiceResponseException');
    expect(e.httpStatusCode).toBeUndefined();
    expect(emulator.requests).toHaveLength(1);
    expect(emulator.requests[0]).toMatchObject({ operation: 'hangUpKillAllClients', status: null, authOk: true, body: { kill_all_nodes: true } });
  });

  it('hang: never answers, the client times out; close() still returns', async () => {
    const own = await startEmulator();
    own.faults.add({ method: 'POST', hang: true });
    const e = await sdkFailure(sdkClient(own, undefined, 300).sendRequest({
      method: 'POST',
      url: '/v2/{project_id}/instances/{instance_id}/clients/kill-all',
      contentType: JSON_CT,
      pathParams: { instance_id: DEMO.shop },
      data: { kill_all_nodes: true },
    }));
    expect(e).toMatchObject({ name: 'ServiceResponseException', errorMsg: expect.stringMatching(/timeout/i) });
    expect(own.requests).toHaveLength(1);
    expect(own.requests[0]?.status).toBeNull();
    await own.close();
  });

  it('latency: a slow answer still arrives; longer than the client timeout it is a timeout', async () => {
    emulator.faults.add({ operation: 'showInstance', latencyMs: 20, times: 1 });
    await expect(showInstance()).resolves.toMatchObject({ httpStatusCode: 200 });
    emulator.faults.add({ operation: 'showInstance', latencyMs: 5000, times: 1 });
    expect(await sdkFailure(showInstance())).toMatchObject({ name: 'ServiceResponseException', errorMsg: expect.stringMatching(/timeout/i) });
    expect(emulator.requests).toHaveLength(2);
  });

  it('redirect: 302 with Location, not followed by a client with maxRedirects 0', async () => {
    emulator.faults.add({ operation: 'hangUpKillAllClients', redirectTo: `${emulator.url}/v2/${DEMO.projectId}/instances/${DEMO.shop}` });
    const e = await sdkFailure(killAll());
    expect(e.name).toBe('ServiceResponseException');
    expect(emulator.requests.map((r) => [r.method, r.status])).toEqual([['POST', 302]]);
    const raw = await signedRequest(emulator, { method: 'POST', path: `/v2/${DEMO.projectId}/instances/${DEMO.shop}/clients/kill-all`, body: { kill_all_nodes: true } });
    expect(raw.status).toBe(302);
    expect(raw.headers.location).toBe(`${emulator.url}/v2/${DEMO.projectId}/instances/${DEMO.shop}`);
  });

  it('matches on path pattern and method, and applies before authentication', async () => {
    emulator.faults.add({ pathPattern: '/logical-nodes$', method: 'GET', status: 500 });
    const unsigned = await rawRequest(`${emulator.url}/v2/${DEMO.projectId}/instances/${DEMO.shop}/logical-nodes`, 'GET', {});
    expect(unsigned).toMatchObject({ status: 500, json: { error_code: 'DCS.5000' } });
    expect(emulator.requests[0]).toMatchObject({ authOk: false, status: 500, operation: 'showNodesInformation' });
    await expect(showInstance()).resolves.toMatchObject({ httpStatusCode: 200 });
  });

  it('clear() removes every rule', async () => {
    emulator.faults.add({ status: 500 });
    emulator.faults.clear();
    await expect(showInstance()).resolves.toMatchObject({ httpStatusCode: 200 });
  });
});

describe('FaultController rules', () => {
  it('refuses a spec without an effect, with two effects, or with a bad pattern', () => {
    const faults = new FaultController();
    expect(() => faults.add({ operation: 'showInstance' })).toThrow(FaultSpecError);
    expect(() => faults.add({ status: 500, reset: true })).toThrow(/at most one/);
    expect(() => faults.add({ pathPattern: '(', status: 500 })).toThrow(/pathPattern/);
    expect(() => faults.add({ errorCode: 'X' })).toThrow(/need a status/);
    expect(() => faults.add({ status: 200 })).toThrow(FaultSpecError);
    expect(faults.list()).toEqual([]);
  });

  it('counts down times and forgets a used-up rule', () => {
    const faults = new FaultController();
    faults.add({ status: 500, times: 2 });
    const key = { operation: 'showInstance', method: 'GET', path: '/v2/p/instances/i' };
    expect(faults.planFor(key).action.kind).toBe('error');
    expect(faults.list()[0]?.remaining).toBe(1);
    expect(faults.planFor(key).action.kind).toBe('error');
    expect(faults.planFor(key).action.kind).toBe('none');
    expect(faults.list()).toEqual([]);
  });

  it('keeps jobFail rules apart from request faults', () => {
    const faults = new FaultController();
    faults.add({ jobFail: 'no' });
    const key = { operation: 'hangUpKillAllClients', method: 'POST', path: '/x' };
    expect(faults.planFor(key).action.kind).toBe('none');
    expect(faults.takeJobFault(key)).toEqual({ kind: 'fail', reason: 'no' });
    expect(faults.takeJobFault(key)).toBeNull();
  });

  it('job rules without an operation are about kill-all jobs; scan jobs need operation scanClients', () => {
    const faults = new FaultController();
    faults.add({ jobFail: 'kill jobs only' });
    faults.add({ operation: 'scanClients', jobHang: true });
    const scan = { operation: 'scanClients', method: 'POST', path: '/x' };
    expect(faults.takeJobFault(scan)).toEqual({ kind: 'hang' });
    expect(faults.takeJobFault(scan)).toBeNull();
    expect(faults.takeJobFault({ ...scan, operation: 'hangUpKillAllClients' })).toEqual({ kind: 'fail', reason: 'kill jobs only' });
    expect(() => faults.add({ operation: 'listClients', jobFail: 'x' })).toThrow(/jobs of hangUpKillAllClients or scanClients/);
  });
});
