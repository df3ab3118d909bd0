/**
 * The FunctionGraph emulator, driven by the official SDK through our hardened client
 * (lib/deploy/fg-client.ts) over real HTTP: signatures (URN colons escaped in the canonical
 * URI), documented field rules and limits, error shapes, recording and fault injection.
 * The client side is under test too: its traps (no redirects, timeouts, ids checked before
 * a URL is built, secrets kept out of errors).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startFgEmulator, type FgEmulator } from '../../dev/fg-emulator/server';
import { DcsCredentials } from '../../lib/dcs/credentials';
import { DeployError, FunctionGraphApi, functionUrn, MAX_ZIP_BYTES, type CodeBody, type FunctionConfigBody } from '../../lib/deploy';
import { ROOT } from '../support/bundle';
import { DEMO, PROJECT } from '../support/scenario';

const ZIP = fs.readFileSync(path.join(ROOT, 'dist', 'cron.zip'));
const CONFIG: FunctionConfigBody = { runtime: 'Node.js20.15', handler: 'index.handler', memory_size: 256, timeout: 60, user_data: '{"A":"1"}', description: 'test' };
const CODE: CodeBody = { code_type: 'zip', code_filename: 'cron.zip', func_code: { file: ZIP.toString('base64') } };
const URN = functionUrn('cn-north-4', PROJECT, 'default', 'fn-a');

describe('FunctionGraph emulator through the official SDK', () => {
  let fg: FgEmulator;
  const api = (sk = DEMO.sk, timeoutMs = 5000) => new FunctionGraphApi({ endpoint: fg.url, projectId: PROJECT, credentials: new DcsCredentials(DEMO.ak, sk, null, 'HUAWEICLOUD_SDK'), timeoutMs });
  const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e as DeployError);

  beforeAll(async () => {
    fg = await startFgEmulator({ credentials: [{ ak: DEMO.ak, sk: DEMO.sk, projectId: PROJECT }] });
  });
  afterAll(() => fg.close());
  beforeEach(() => fg.reset());

  it('keeps a created function: config, SHA-512 digest of the code; absent is null (FSS.1051)', async () => {
    expect(await api().showFunctionConfig(URN)).toBeNull();
    const created = await api().createFunction({ func_name: 'fn-a', package: 'default', ...CONFIG, ...CODE });
    expect(created.func_urn).toBe(URN);
    const shown = await api().showFunctionConfig(URN);
    expect(shown).toMatchObject({ func_name: 'fn-a', memory_size: 256, user_data: '{"A":"1"}', code_size: ZIP.length });
    expect(shown!.digest).toBe(require('node:crypto').createHash('sha512').update(ZIP).digest('hex'));
    // The URN travelled with raw colons; the signature covered them escaped (%3A).
    const show = fg.requests.find((r) => r.operation === 'showFunctionConfig')!;
    expect(show.path).toContain(`/functions/${URN}/config`);
    expect(show.authOk).toBe(true);
  });

  it('refuses a wrong signature with APIGW.0301 and another project with 403, recording both', async () => {
    const bad = await failure(api('wrong-secret-key-0000000000000000000').showFunctionConfig(URN));
    expect(bad).toMatchObject({ kind: 'unauthorized', httpStatus: 401, code: 'APIGW.0301' });
    expect(bad.message).not.toContain('wrong-secret');
    const other = functionUrn('cn-north-4', 'ffffffffffffffffffffffffffffffff', 'default', 'fn-a');
    const foreign = new FunctionGraphApi({ endpoint: fg.url, projectId: 'ffffffffffffffffffffffffffffffff', credentials: new DcsCredentials(DEMO.ak, DEMO.sk, null, 'HUAWEICLOUD_SDK'), timeoutMs: 5000 });
    expect(await failure(foreign.showFunctionConfig(other))).toMatchObject({ httpStatus: 403, code: 'APIGW.0302' });
    expect(fg.requests.map((r) => r.authOk)).toEqual([false, false]);
  });

  it.each([
    ['a name starting with a digit', { func_name: '1fn' }, /func_name/],
    ['a memory size not in the list', { memory_size: 300 }, /memory_size must be one of/],
    ['a timeout out of range', { timeout: 2 }, /timeout/],
    ['more than 20 variables', { user_data: JSON.stringify(Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`V${i}`, 'x']))) }, /at most 20 environment variables/],
    ['more than 4 KB of variables', { user_data: JSON.stringify({ BIG: 'x'.repeat(4100) }) }, /exceed 4096 bytes/],
    ['a zip without its file name', { code_filename: undefined }, /code_filename is required/],
    ['code that is not a zip', { func_code: { file: Buffer.from('hello').toString('base64') } }, /not a zip archive/],
  ])('refuses %s with FSS.0400 naming the field', async (_label, change, message) => {
    const body = { func_name: 'fn-a', package: 'default', ...CONFIG, ...CODE, ...change } as never;
    const e = await failure(api().createFunction(body));
    expect(e).toMatchObject({ kind: 'rejected', httpStatus: 400, code: 'FSS.0400', operation: 'createFunction' });
    expect(e.message).toMatch(message);
    expect(fg.state.snapshot().functions).toEqual([]);
  });

  it('refuses a zip over the limit with 413 FSS.0413 (the documented limit is 50 MB)', async () => {
    expect(MAX_ZIP_BYTES).toBe(50 * 1024 * 1024);
    const small = await startFgEmulator({ credentials: [{ ak: DEMO.ak, sk: DEMO.sk, projectId: PROJECT }], maxZipBytes: ZIP.length - 1 });
    try {
      const client = new FunctionGraphApi({ endpoint: small.url, projectId: PROJECT, credentials: new DcsCredentials(DEMO.ak, DEMO.sk, null, 'HUAWEICLOUD_SDK'), timeoutMs: 5000 });
      const e = await failure(client.createFunction({ func_name: 'fn-a', package: 'default', ...CONFIG, ...CODE }));
      expect(e).toMatchObject({ httpStatus: 413, code: 'FSS.0413' });
      expect(small.state.snapshot().functions).toEqual([]);
    } finally {
      await small.close();
    }
  });

  it('answers 409 FSS.0409 for a second function of the same name', async () => {
    await api().createFunction({ func_name: 'fn-a', package: 'default', ...CONFIG, ...CODE });
    const e = await failure(api().createFunction({ func_name: 'fn-a', package: 'default', ...CONFIG, ...CODE }));
    expect(e).toMatchObject({ httpStatus: 409, code: 'FSS.0409' });
    expect(e.fix).toContain('deploy --plan');
  });

  it('checks trigger event_data per type, and a timer name is unique per function', async () => {
    await api().createFunction({ func_name: 'fn-a', package: 'default', ...CONFIG, ...CODE });
    const timer = (schedule: string) => ({ trigger_type_code: 'TIMER' as const, trigger_status: 'ACTIVE' as const, event_type_code: 'MessageCreated', event_data: { name: 'nightly', schedule_type: 'Cron', schedule } });
    expect((await failure(api().createFunctionTrigger(URN, timer('0 0 3 * *')))).message).toMatch(/event_data.schedule: a Cron schedule has 6 fields/);
    expect((await failure(api().createFunctionTrigger(URN, { ...timer(''), trigger_type_code: 'SMN', event_data: { topic_urn: 'nope' } }))).message).toMatch(/topic_urn/);
    const created = await api().createFunctionTrigger(URN, timer('0 0 3 * * *'));
    expect((await failure(api().createFunctionTrigger(URN, timer('0 0 4 * * *')))).httpStatus).toBe(409);
    expect(await api().listFunctionTriggers(URN)).toEqual([expect.objectContaining({ trigger_id: created.trigger_id, trigger_type_code: 'TIMER' })]);
    await api().deleteFunctionTrigger(URN, 'TIMER', created.trigger_id);
    // What the service has been seen to answer for a trigger that is not there.
    expect(await failure(api().deleteFunctionTrigger(URN, 'TIMER', created.trigger_id))).toMatchObject({ httpStatus: 500, code: 'FSS.0500' });
  });

  it('refuses a malformed URN or trigger id before anything is sent (core does not encode path parameters)', async () => {
    await expect(api().showFunctionConfig('urn:fss:cn-north-4:../../x')).rejects.toMatchObject({ kind: 'config' });
    await expect(api().deleteFunctionTrigger(URN, 'TIMER', '../../functions/x')).rejects.toMatchObject({ kind: 'config' });
    expect(fg.requests).toEqual([]);
  });

  it('injected faults: a 429 is throttled, a redirect is not followed, a hang times out as outcome unknown', async () => {
    fg.faults.add({ operation: 'showFunctionConfig', status: 429, times: 1 });
    expect(await failure(api().showFunctionConfig(URN))).toMatchObject({ kind: 'throttled', code: 'FSS.0429' });
    fg.faults.add({ operation: 'showFunctionConfig', redirectTo: 'http://127.0.0.1:1/elsewhere', times: 1 });
    expect(await failure(api().showFunctionConfig(URN))).toMatchObject({ kind: 'rejected', httpStatus: 302 });
    fg.faults.add({ operation: 'createFunction', hang: true, times: 1 });
    const hung = await failure(api(DEMO.sk, 300).createFunction({ func_name: 'fn-a', package: 'default', ...CONFIG, ...CODE }));
    expect(hung).toMatchObject({ kind: 'outcome_unknown' });
    expect(hung.fix).toContain('run deploy again');
    expect(fg.requests.map((r) => r.operation)).toEqual(['showFunctionConfig', 'showFunctionConfig', 'createFunction']);
  });
});

describe('function bundles', () => {
  it('contain neither the FunctionGraph SDK nor the deploy code (CLI only)', () => {
    const meta = JSON.parse(fs.readFileSync(path.join(ROOT, 'dist', 'meta.json'), 'utf8')) as Record<string, { inputs: Record<string, unknown> }>;
    for (const fn of ['alarm', 'cron']) {
      const inputs = Object.keys(meta[fn]!.inputs);
      expect(inputs.some((i) => i.includes('lib/dcs/client.ts'))).toBe(true); // the metafile lists real inputs
      expect(inputs.filter((i) => i.includes('huaweicloud-sdk-functiongraph') || i.includes('lib/deploy/') || i.includes('lib/doctor/'))).toEqual([]);
      for (const file of fs.readdirSync(path.join(ROOT, 'dist', fn)).filter((f) => f.endsWith('.js'))) {
        expect(fs.readFileSync(path.join(ROOT, 'dist', fn, file), 'utf8')).not.toContain('FunctionGraphClient');
      }
    }
  });
});
