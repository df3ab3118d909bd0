/**
 * The function host (dist/dev/function-host.js): a real child process playing one warm
 * FunctionGraph container, driven through FunctionHost with small handler files of our own.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FunctionHost } from '../../dev/runner/function-host-client';
import { ROOT } from '../support/bundle';
import { tempDir } from '../cli/support';

const HOST = path.join(ROOT, 'dist', 'dev', 'function-host.js');

const HANDLER = `
let calls = 0; // module state: survives between calls in a warm container
exports.handler = async (event, context) => {
  calls += 1;
  if (event.mode === 'hang') return new Promise(() => {});
  if (event.mode === 'throw') throw new Error('boom');
  console.log(JSON.stringify({ type: 'audit', decision: 'executed', reason: 'first line' }));
  process.stdout.write('partial line without newline');
  process.stderr.write('to stderr\\n');
  return {
    calls,
    pid: process.pid,
    env: Object.keys(process.env).sort(),
    requestId: context.getRequestID(),
    remaining: context.getRemainingTimeInMilliSeconds(),
    functionName: context.getFunctionName(),
    userData: context.getUserData('ONLY_VAR'),
  };
};`;

describe('function host', () => {
  const dir = tempDir('dsg-host-');
  const bundle = path.join(dir, 'index.js');
  fs.writeFileSync(bundle, HANDLER);
  fs.writeFileSync(path.join(dir, 'broken.js'), 'throw new Error("cannot load me");');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const hosts: FunctionHost[] = [];
  afterEach(async () => Promise.all(hosts.splice(0).map((h) => h.stop())));
  const host = (file: string, lines: string[] = [], stderr: string[] = []) => {
    const h = new FunctionHost({ name: 'alarm', functionName: 'fn-name', bundle: file, hostScript: HOST, env: { ONLY_VAR: 'x' }, onLine: (l) => lines.push(l), onStderr: (t) => stderr.push(t) });
    hosts.push(h);
    return h;
  };

  it('keeps one warm process, with only the given environment and a FunctionGraph-like context', async () => {
    const lines: string[] = [];
    const stderr: string[] = [];
    const h = host(bundle, lines, stderr);
    const first = await h.invoke({}, { requestId: 'req-1', timeoutMs: 60_000 });
    const second = await h.invoke({}, { requestId: 'req-2', timeoutMs: 60_000 });
    expect(first.kind).toBe('returned');
    expect(second.kind).toBe('returned');
    const a = (first as any).value;
    const b = (second as any).value;
    expect([a.calls, b.calls]).toEqual([1, 2]);
    expect(b.pid).toBe(a.pid);
    expect(a.env).not.toContain('PATH');
    expect(a.env).toContain('ONLY_VAR');
    expect(a).toMatchObject({ requestId: 'req-1', functionName: 'fn-name', userData: 'x' });
    expect(a.remaining).toBeGreaterThan(0);
    expect(a.remaining).toBeLessThanOrEqual(60_000);
    // Every line printed before the result arrived before it, the partial one included.
    expect(lines.slice(0, 2)).toEqual(['{"type":"audit","decision":"executed","reason":"first line"}', 'partial line without newline']);
    expect(stderr.join('')).toContain('to stderr');
  });

  it('reports a thrown error', async () => {
    const outcome = await host(bundle).invoke({ mode: 'throw' }, { requestId: 'r', timeoutMs: 60_000 });
    expect(outcome).toEqual({ kind: 'threw', error: 'Error: boom', requestId: 'r' });
  });

  it('recycles a container that outlives its timeout: the next call is a cold start', async () => {
    const h = host(bundle);
    const warm = (await h.invoke({}, { requestId: 'a', timeoutMs: 60_000 })) as any;
    const hung = await h.invoke({ mode: 'hang' }, { requestId: 'b', timeoutMs: 50 });
    expect(hung).toEqual({ kind: 'timeout', timeoutMs: 50, requestId: 'b' });
    const cold = (await h.invoke({}, { requestId: 'c', timeoutMs: 60_000 })) as any;
    expect(cold.value.pid).not.toBe(warm.value.pid);
    expect(cold.value.calls).toBe(1);
  });

  it('says why a bundle cannot be used', async () => {
    const broken = await host(path.join(dir, 'broken.js')).invoke({}, { requestId: 'r', timeoutMs: 1000 });
    expect(broken).toEqual({ kind: 'unavailable', error: expect.stringContaining('cannot load me'), requestId: 'r' });
    const missing = await host(path.join(dir, 'missing.js')).invoke({}, { requestId: 'r', timeoutMs: 1000 });
    expect(missing).toEqual({ kind: 'unavailable', error: `${path.join(dir, 'missing.js')} does not exist: build first (npm run build)`, requestId: 'r' });
  });
});
