/**
 * The DCS client over real HTTP, through sdk-core's real signer, against a
 * canned local server: what is sent, how each failure is classified, and
 * what is (not) retried.
 */
import { DcsError } from '../../lib/dcs/errors';
import type { DcsClient } from '../../lib/dcs/client';
import { closedPort, startCannedServer, type CannedServer, type Reply, type Script } from './support/canned-server';
import { AK, INSTANCE_ID, JOB_ID, NODE_ID, PROJECT_ID, TOKEN, testClient } from './support/fixtures';

const KILL_ALL_PATH = `/v2/${PROJECT_ID}/instances/${INSTANCE_ID}/clients/kill-all`;
const JOB_PATH = `/v2/${PROJECT_ID}/jobs/${JOB_ID}`;

let server: CannedServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function serve(script: Script): Promise<CannedServer> {
  server = await startCannedServer(script);
  return server;
}

/** Every request gets the same answer. */
const always = (reply: Reply): Script => () => reply;
/** Answers in order; the last one repeats. */
const sequence = (...replies: Reply[]): Script => (_req, i) => replies[Math.min(i, replies.length - 1)]!;

async function failure(promise: Promise<unknown>): Promise<DcsError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DcsError) return error;
    throw new Error(`expected a DcsError, got ${String(error)}`);
  }
  throw new Error('expected the call to fail');
}

const killAll = (client: DcsClient) => client.hangUpKillAllClients({ instanceId: INSTANCE_ID, body: { node_id: NODE_ID } });
const showJob = (client: DcsClient) => client.showJobInfo({ jobId: JOB_ID });

describe('successful calls', () => {
  test('kill-all sends one signed POST with the node body and returns the wire job_id', async () => {
    const s = await serve(always({ status: 200, json: { job_id: JOB_ID } }));
    const response = await killAll(testClient(s.url));

    expect(response.job_id).toBe(JOB_ID);
    expect(s.requests).toHaveLength(1);
    const [req] = s.requests;
    expect(req!.method).toBe('POST');
    expect(req!.path).toBe(KILL_ALL_PATH);
    expect(JSON.parse(req!.body)).toEqual({ node_id: NODE_ID });
    expect(req!.headers['content-type']).toBe('application/json');
    expect(req!.headers['x-project-id']).toBe(PROJECT_ID);
    expect(req!.headers['x-security-token']).toBe(TOKEN);
    expect(req!.headers['x-sdk-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(req!.headers.authorization).toMatch(
      new RegExp(`^SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=content-type;host;x-project-id;x-sdk-date;x-security-token, Signature=[0-9a-f]{64}$`),
    );
    expect(req!.headers['user-agent']).toContain('dcs-session-guard');
  });

  test('kill-all for every node sends kill_all_nodes only', async () => {
    const s = await serve(always({ status: 200, json: { job_id: JOB_ID } }));
    await testClient(s.url).hangUpKillAllClients({ instanceId: INSTANCE_ID, body: { kill_all_nodes: true } });
    expect(JSON.parse(s.requests[0]!.body)).toEqual({ kill_all_nodes: true });
  });

  test('the read calls hit their paths and return the wire JSON', async () => {
    const instance = { instance_id: INSTANCE_ID, name: 'r1', engine: 'Redis', engine_version: '6.0', status: 'RUNNING', cache_mode: 'cluster' };
    const nodes = {
      instance_id: INSTANCE_ID,
      total: 1,
      nodes: [{ node_id: NODE_ID, logical_node_id: 'l1', name: 'n1', status: 'Active', node_role: 'redis-server', node_type: 'master', node_ip: '10.0.0.1', node_port: '6379', group_id: 'g', group_name: 'g', dimensions: [{ name: 'dcs_cluster_redis_node', value: 'abc' }] }],
    };
    const clients = { count: 1, clients: [{ id: '7', addr: '10.0.0.9:5555', name: '', cmd: 'get', age: 3, idle: 1, db: 0 }] };
    const s = await serve((req) => {
      if (req.path.endsWith('/logical-nodes')) return { status: 200, json: nodes };
      if (req.path.endsWith('/clients') && req.method === 'GET') return { status: 200, json: clients };
      if (req.path.endsWith('/clients')) return { status: 200, json: { job_id: JOB_ID } };
      if (req.path.startsWith(`/v2/${PROJECT_ID}/jobs/`)) return { status: 200, json: { job_id: JOB_ID, status: 'RUNNING' } };
      return { status: 200, json: instance };
    });
    const client = testClient(s.url);

    expect(await client.showInstance({ instanceId: INSTANCE_ID })).toMatchObject(instance);
    expect((await client.showNodesInformation({ instanceId: INSTANCE_ID })).nodes[0]!.dimensions).toEqual(nodes.nodes[0]!.dimensions);
    expect((await client.listClients({ instanceId: INSTANCE_ID, nodeId: NODE_ID, offset: 0, limit: 100 })).clients).toEqual(clients.clients);
    expect((await client.scanClients({ instanceId: INSTANCE_ID, body: { node_id: NODE_ID } })).job_id).toBe(JOB_ID);
    expect((await client.showJobInfo({ jobId: JOB_ID })).status).toBe('RUNNING');

    expect(s.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /v2/${PROJECT_ID}/instances/${INSTANCE_ID}`,
      `GET /v2/${PROJECT_ID}/instances/${INSTANCE_ID}/logical-nodes`,
      `GET /v2/${PROJECT_ID}/instances/${INSTANCE_ID}/clients`,
      `POST /v2/${PROJECT_ID}/instances/${INSTANCE_ID}/clients`,
      `GET ${JOB_PATH}`,
    ]);
    expect(s.requests[2]!.query).toEqual({ node_id: NODE_ID, offset: '0', limit: '100' });
    expect(JSON.parse(s.requests[3]!.body)).toEqual({ node_id: NODE_ID });
  });
});

describe('session calls', () => {
  const KILL_PATH = `/v2/${PROJECT_ID}/instances/${INSTANCE_ID}/clients/kill`;
  const hangUp = (client: DcsClient, addrs: string[]) => client.hangUpClients({ instanceId: INSTANCE_ID, body: { node_id: NODE_ID, client_addrs: addrs } });

  test('hangUpClients POSTs the node and the addresses to /clients/kill; 204 is success', async () => {
    const s = await serve(always({ status: 204 }));
    const response = await hangUp(testClient(s.url), ['10.0.0.9:5555', '[2001:db8::7]:6000']);
    expect(response).toEqual(expect.not.objectContaining({ job_id: expect.anything() }));
    expect(s.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`POST ${KILL_PATH}`]);
    expect(JSON.parse(s.requests[0]!.body)).toEqual({ node_id: NODE_ID, client_addrs: ['10.0.0.9:5555', '[2001:db8::7]:6000'] });
    expect(s.requests[0]!.headers.connection).toBe('close');
  });

  test('hangUpClients answered 500 or timed out is sent exactly once; 429 is retried', async () => {
    const s = await serve(sequence({ status: 500, json: { error_code: 'DCS.5000', error_msg: 'boom' } }, { status: 429, json: { error_code: 'APIGW.0308', error_msg: 'slow down' } }, { status: 204 }));
    const client = testClient(s.url);
    expect((await failure(hangUp(client, ['10.0.0.9:5555']))).kind).toBe('server');
    expect(s.requests).toHaveLength(1);
    await hangUp(client, ['10.0.0.9:5555']);
    expect(s.requests).toHaveLength(3);
  });

  test('listClients passes addr, sort and order through', async () => {
    const s = await serve(always({ status: 200, json: { time: '1', count: 0, clients: [] } }));
    await testClient(s.url).listClients({ instanceId: INSTANCE_ID, nodeId: NODE_ID, addr: '10.0.0.9:5555', sort: 'idle', order: 'desc', limit: 1000 });
    expect(s.requests[0]!.query).toEqual({ node_id: NODE_ID, addr: '10.0.0.9:5555', sort: 'idle', order: 'desc', limit: '1000' });
  });

  test('a listed session without an addr makes the page malformed (it could be neither chosen nor killed)', async () => {
    const s = await serve(always({ status: 200, json: { count: 1, clients: [{ id: '1', name: 'x' }] } }));
    const error = await failure(testClient(s.url, {}, { readRetry: { maxAttempts: 1 } }).listClients({ instanceId: INSTANCE_ID, nodeId: NODE_ID }));
    expect(error.code).toBe('malformed_response');
  });

  test.each([
    ['no addresses', [] as string[]],
    ['a host name', ['redis.example:6379']],
    ['no port', ['10.0.0.9']],
    ['a port out of range', ['10.0.0.9:70000']],
    ['a unix socket', ['/tmp/redis.sock:0']],
    ['an address twice', ['10.0.0.9:5555', '10.0.0.9:5555']],
    ['1001 addresses', Array.from({ length: 1001 }, (_, i) => `10.0.${i >> 8}.${i & 255}:5000`)],
  ])('hangUpClients with %s is refused before sending', async (_name, addrs) => {
    const s = await serve(always({ status: 204 }));
    const error = await failure(hangUp(testClient(s.url), addrs));
    expect(error.kind).toBe('invalid_request');
    expect(error.message).not.toContain('redis.example');
    expect(s.requests).toHaveLength(0);
  });

  test('listClients with a bad addr, sort or order is refused before sending', async () => {
    const s = await serve(always({ status: 200, json: { count: 0, clients: [] } }));
    const client = testClient(s.url);
    for (const bad of [{ addr: 'x:1' }, { sort: 'name' as never }, { order: 'up' as never }]) {
      expect((await failure(client.listClients({ instanceId: INSTANCE_ID, nodeId: NODE_ID, ...bad }))).kind).toBe('invalid_request');
    }
    expect(s.requests).toHaveLength(0);
  });
});

describe('connections', () => {
  test('reads reuse a keep-alive connection; kill-all always opens a fresh one', async () => {
    const s = await serve((req) => (req.method === 'POST' ? { status: 200, json: { job_id: JOB_ID } } : { status: 200, json: { job_id: JOB_ID, status: 'INIT' } }));
    const client = testClient(s.url);
    await showJob(client);
    await showJob(client);
    await killAll(client);
    await killAll(client);
    const [read1, read2, kill1, kill2] = s.requests;
    expect(read1!.headers.connection).toBe('keep-alive');
    expect(read2!.remotePort).toBe(read1!.remotePort);
    expect([kill1!.headers.connection, kill2!.headers.connection]).toEqual(['close', 'close']);
    expect(new Set([read1!.remotePort, kill1!.remotePort, kill2!.remotePort]).size).toBe(3);
  });
});

describe('HTTP errors map onto the taxonomy', () => {
  const cases: { name: string; reply: Reply; kind: DcsError['kind']; code: string }[] = [
    { name: '401', reply: { status: 401, json: { error_code: 'APIGW.0301', error_msg: 'Incorrect IAM authentication information' } }, kind: 'unauthorized', code: 'APIGW.0301' },
    { name: '403', reply: { status: 403, json: { error_code: 'DCS.4403', error_msg: 'Policy doesn\'t allow dcs:clients:kill' } }, kind: 'unauthorized', code: 'DCS.4403' },
    { name: '404', reply: { status: 404, json: { error_code: 'DCS.4404', error_msg: 'instance not found' } }, kind: 'rejected', code: 'DCS.4404' },
    { name: '400 DCS.4957', reply: { status: 400, json: { error_code: 'DCS.4957', error_msg: 'This operation is not allowed when the task is in the current state.' } }, kind: 'rejected', code: 'DCS.4957' },
    { name: '429', reply: { status: 429, json: { error_code: 'APIGW.0308', error_msg: 'The throttling threshold has been reached' } }, kind: 'throttled', code: 'APIGW.0308' },
    { name: '500', reply: { status: 500, json: { error_code: 'DCS.5000', error_msg: 'internal error' } }, kind: 'server', code: 'DCS.5000' },
    { name: '503 without a body', reply: { status: 503, text: 'unavailable' }, kind: 'server', code: 'http_503' },
  ];

  test.each(cases)('$name → $kind ($code)', async ({ reply, kind, code }) => {
    const s = await serve(always({ ...reply, headers: { 'x-request-id': 'req-123' } } as Reply));
    const error = await failure(killAll(testClient(s.url, {}, { killAllRetry: { maxAttempts: 1 } })));
    expect(error.kind).toBe(kind);
    expect(error.code).toBe(code);
    expect(error.httpStatus).toBe((reply as { status: number }).status);
    expect(error.requestId).toBe('req-123');
    expect(error.toInfo()).toEqual({ code, message: error.message, httpStatus: error.httpStatus, requestId: 'req-123' });
    expect(error.message).toContain('hangUpKillAllClients');
  });

  test('a 302 is not followed: rejected, and the redirect target never sees a request', async () => {
    const s = await serve((req) => (req.path.startsWith('/elsewhere') ? { status: 200, json: { job_id: JOB_ID } } : { status: 302, headers: { location: '/elsewhere' } }));
    const error = await failure(killAll(testClient(s.url)));
    expect(error.kind).toBe('rejected');
    expect(error.code).toBe('unexpected_redirect');
    expect(error.httpStatus).toBe(302);
    expect(s.requestsTo('/elsewhere')).toHaveLength(0);
    expect(s.requests).toHaveLength(1);
  });
});

describe('retry only where it is safe', () => {
  test('kill-all answered 429 is retried (DCS did not act) and succeeds', async () => {
    const s = await serve(sequence({ status: 429, json: { error_code: 'APIGW.0308', error_msg: 'throttled' } }, { status: 200, json: { job_id: JOB_ID } }));
    const retries: string[] = [];
    const client = testClient(s.url, {}, { onRetry: ({ error }) => retries.push(error.kind) });
    expect((await killAll(client)).job_id).toBe(JOB_ID);
    expect(s.requestsTo(KILL_ALL_PATH)).toHaveLength(2);
    expect(retries).toEqual(['throttled']);
  });

  test('kill-all answered 429 every time stops after maxAttempts', async () => {
    const s = await serve(always({ status: 429, json: { error_code: 'APIGW.0308', error_msg: 'throttled' } }));
    const error = await failure(killAll(testClient(s.url, {}, { killAllRetry: { maxAttempts: 3 } })));
    expect(error.kind).toBe('throttled');
    expect(s.requests).toHaveLength(3);
  });

  test('kill-all answered 500 is sent exactly once (it may have acted)', async () => {
    const s = await serve(always({ status: 500, json: { error_code: 'DCS.5000', error_msg: 'boom' } }));
    expect((await failure(killAll(testClient(s.url)))).kind).toBe('server');
    expect(s.requests).toHaveLength(1);
  });

  test('a read answered 503 then 200 is retried and succeeds', async () => {
    const s = await serve(sequence({ status: 503, text: 'busy' }, { status: 200, json: { job_id: JOB_ID, status: 'SUCCESS' } }));
    expect((await showJob(testClient(s.url))).status).toBe('SUCCESS');
    expect(s.requests).toHaveLength(2);
  });

  test('a read that keeps failing stops after maxAttempts', async () => {
    const s = await serve(always({ status: 500, json: { error_code: 'DCS.5000', error_msg: 'boom' } }));
    expect((await failure(showJob(testClient(s.url, {}, { readRetry: { maxAttempts: 4 } })))).kind).toBe('server');
    expect(s.requests).toHaveLength(4);
  });

  test('rejected and unauthorized are never retried, reads included', async () => {
    const s = await serve(sequence({ status: 404, json: { error_code: 'DCS.4404', error_msg: 'no such job' } }, { status: 403, json: { error_code: 'X', error_msg: 'no' } }));
    const client = testClient(s.url);
    expect((await failure(showJob(client))).kind).toBe('rejected');
    expect((await failure(showJob(client))).kind).toBe('unauthorized');
    expect(s.requests).toHaveLength(2);
  });
});

describe('transport failures', () => {
  test('connection refused: not_sent, and even kill-all is retried (nothing left the machine)', async () => {
    const port = await closedPort();
    const retries: number[] = [];
    const client = testClient(`http://127.0.0.1:${port}`, {}, { onRetry: ({ attempt }) => retries.push(attempt) });
    const error = await failure(killAll(client));
    expect(error.kind).toBe('not_sent');
    expect(error.code).toBe('connection_refused');
    expect(error.httpStatus).toBeNull();
    expect(retries).toEqual([1, 2]);
  });

  test('connection reset after sending: kill-all outcome_unknown, sent exactly once', async () => {
    const s = await serve(always({ reset: true }));
    const error = await failure(killAll(testClient(s.url)));
    expect(error.kind).toBe('outcome_unknown');
    expect(error.code).toBe('connection_reset');
    expect(s.requests).toHaveLength(1);
  });

  test('socket hang-up after sending: kill-all outcome_unknown, sent exactly once', async () => {
    const s = await serve(always({ hangUp: true }));
    const error = await failure(killAll(testClient(s.url)));
    expect(error.kind).toBe('outcome_unknown');
    expect(s.requests).toHaveLength(1);
  });

  test('no answer: kill-all times out as outcome_unknown and is sent exactly once', async () => {
    const s = await serve(always({ hang: true }));
    const error = await failure(killAll(testClient(s.url, { timeoutMs: 300 })));
    expect(error.kind).toBe('outcome_unknown');
    expect(error.code).toBe('timeout');
    expect(error.retryable).toBe(false);
    expect(s.requestsTo(KILL_ALL_PATH)).toHaveLength(1);
  });

  test('no answer to a read: retried up to maxAttempts', async () => {
    const s = await serve(always({ hang: true }));
    const error = await failure(showJob(testClient(s.url, { timeoutMs: 200 }, { readRetry: { maxAttempts: 3 } })));
    expect(error.kind).toBe('outcome_unknown');
    expect(s.requests).toHaveLength(3);
  });

  test('reset on a read, then success: retried', async () => {
    const s = await serve(sequence({ reset: true }, { status: 200, json: { job_id: JOB_ID, status: 'INIT' } }));
    expect((await showJob(testClient(s.url))).status).toBe('INIT');
    expect(s.requests).toHaveLength(2);
  });

  test('a deadline already (nearly) reached: not sent at all', async () => {
    const s = await serve(always({ status: 200, json: { job_id: JOB_ID } }));
    const client = testClient(s.url);
    const error = await failure(client.hangUpKillAllClients({ instanceId: INSTANCE_ID, body: { node_id: NODE_ID } }, { deadlineEpochMs: Date.now() + 50 }));
    expect(error.kind).toBe('not_sent');
    expect(error.code).toBe('deadline_exceeded');
    expect(s.requests).toHaveLength(0);
  });
});

describe('malformed 2xx answers are typed errors at the boundary', () => {
  test.each([
    ['an empty object', { status: 200, json: {} }],
    ['a non-JSON body', { status: 200, text: '<html>ok</html>' }],
    ['a job_id that is not an id', { status: 200, json: { job_id: '../../x' } }],
    ['a numeric job_id', { status: 200, json: { job_id: 42 } }],
  ] as [string, Reply][])('kill-all answered with %s: outcome_unknown, not re-sent', async (_name, reply) => {
    const s = await serve(always(reply));
    const error = await failure(killAll(testClient(s.url)));
    expect(error.kind).toBe('outcome_unknown');
    expect(error.code).toBe('malformed_response');
    expect(s.requests).toHaveLength(1);
  });

  test('a job with an unknown status is malformed', async () => {
    const s = await serve(always({ status: 200, json: { job_id: JOB_ID, status: 'DONE' } }));
    expect((await failure(showJob(testClient(s.url, {}, { readRetry: { maxAttempts: 1 } })))).code).toBe('malformed_response');
  });
});

describe('bad input is refused before anything is built or sent', () => {
  const badIds = ['../../v1/other', 'abc', '', ' 5e2b1c9a-7f3d-4d2e-9b8a-1c2d3e4f5a6b', '5e2b1c9a-7f3d-4d2e-9b8a-1c2d3e4f5a6b/../x', '5e2b1c9a%2F7f3d', '5e2b1c9a-7f3d-4d2e-9b8a-1c2d3e4f5a6b?x=1'];

  test.each(badIds)('instance id %j', async (instanceId) => {
    const s = await serve(always({ status: 200, json: { job_id: JOB_ID } }));
    const client = testClient(s.url);
    const errors = [
      await failure(client.hangUpKillAllClients({ instanceId, body: { node_id: NODE_ID } })),
      await failure(client.showInstance({ instanceId })),
      await failure(client.showNodesInformation({ instanceId })),
    ];
    expect(errors.map((e) => e.kind)).toEqual(['invalid_request', 'invalid_request', 'invalid_request']);
    expect(errors[0]!.code).toBe('invalid_instance_id');
    expect(s.requests).toHaveLength(0);
  });

  test.each([
    ['job id with a slash', (c: DcsClient) => c.showJobInfo({ jobId: '8abf6e1e/../../x' })],
    ['job id with a dot', (c: DcsClient) => c.showJobInfo({ jobId: '8abf6e1e824d.fcb2' })],
    ['node id with a space', (c: DcsClient) => c.hangUpKillAllClients({ instanceId: INSTANCE_ID, body: { node_id: '8abf6e1e 824dfcb2' } })],
    ['node id with a hash', (c: DcsClient) => c.listClients({ instanceId: INSTANCE_ID, nodeId: '8abf6e1e824dfcb2#x' })],
    ['no target', (c: DcsClient) => c.hangUpKillAllClients({ instanceId: INSTANCE_ID, body: {} })],
    ['both a node and all nodes', (c: DcsClient) => c.hangUpKillAllClients({ instanceId: INSTANCE_ID, body: { node_id: NODE_ID, kill_all_nodes: true } })],
    ['kill_all_nodes as a string', (c: DcsClient) => c.hangUpKillAllClients({ instanceId: INSTANCE_ID, body: { kill_all_nodes: 'true' as unknown as boolean } })],
    ['a missing body', (c: DcsClient) => c.hangUpKillAllClients({ instanceId: INSTANCE_ID } as never)],
    ['limit 0', (c: DcsClient) => c.listClients({ instanceId: INSTANCE_ID, nodeId: NODE_ID, limit: 0 })],
    ['limit 1001', (c: DcsClient) => c.listClients({ instanceId: INSTANCE_ID, nodeId: NODE_ID, limit: 1001 })],
    ['negative offset', (c: DcsClient) => c.listClients({ instanceId: INSTANCE_ID, nodeId: NODE_ID, offset: -1 })],
    ['a null request', (c: DcsClient) => c.showJobInfo(null as never)],
  ])('%s', async (_name, call) => {
    const s = await serve(always({ status: 200, json: { job_id: JOB_ID } }));
    const error = await failure(call(testClient(s.url)));
    expect(error.kind).toBe('invalid_request');
    expect(s.requests).toHaveLength(0);
  });

  test('a hand-built config with a bad endpoint or project id is refused at construction', () => {
    expect(() => testClient('http://10.0.0.1:80')).toThrow(expect.objectContaining({ kind: 'config' }));
    expect(() => testClient('https://dcs.cn-north-4.myhuaweicloud.com/v2')).toThrow(expect.objectContaining({ kind: 'config' }));
    expect(() => testClient('http://127.0.0.1:1', { projectId: '{project_id}' })).toThrow(expect.objectContaining({ kind: 'config' }));
  });
});
