/**
 * The CLI bundle (dist/dev/emulator.js, built by jest's global setup) as people run it:
 * banner with URL and env lines, command-line faults, request log, clean stop on SIGTERM.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { resolve } from 'node:path';
import { DEMO, signedRequest } from './support';

const BUNDLE = resolve(__dirname, '..', '..', 'dist', 'dev', 'emulator.js');

interface Running {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  exited: Promise<{ code: number | null; stderr: string }>;
}

function run(args: string[]): Running {
  const child = spawn(process.execPath, [BUNDLE, ...args], { stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<{ code: number | null; stderr: string }>((done) => child.on('exit', (code) => done({ code, stderr })));
  return { child, output: () => stdout, exited };
}

/** Resolves with the stdout so far once it matches, or rejects if the process exits first. */
function waitFor(running: Running, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((done, fail) => {
    const check = () => {
      const m = running.output().match(pattern);
      if (m) {
        running.child.stdout.off('data', check);
        done(m);
      }
    };
    running.child.stdout.on('data', check);
    void running.exited.then(({ code, stderr }) => fail(new Error(`exited ${code} before ${pattern}: ${stderr}`)));
    check();
  });
}

describe('emulator CLI', () => {
  it('prints URL and env lines, applies command-line faults, logs requests, stops on SIGTERM', async () => {
    const running = run(['--port', '0', '--job-ms', '0', '--fail-operation', 'showInstance', '--fail-status', '503', '--fail-code', 'DCS.5003']);
    const [, url] = (await waitFor(running, /export DCS_ENDPOINT=(http:\/\/127\.0\.0\.1:\d+)/)) as [string, string];
    expect(running.output()).toContain(`export HUAWEICLOUD_SDK_AK=${DEMO.ak}`);
    expect(running.output()).toContain(`export HUAWEICLOUD_SDK_PROJECT_ID=${DEMO.projectId}`);

    const faulted = await signedRequest({ url }, { method: 'GET', path: `/v2/${DEMO.projectId}/instances/${DEMO.shop}` });
    expect(faulted).toMatchObject({ status: 503, json: { error_code: 'DCS.5003' } });
    const fine = await signedRequest({ url }, { method: 'GET', path: `/v2/${DEMO.projectId}/instances/${DEMO.shop}/logical-nodes` });
    expect(fine.status).toBe(200);
    await waitFor(running, /logical-nodes -> 200 showNodesInformation/);
    expect(running.output()).not.toMatch(/Signature=/);

    running.child.kill('SIGTERM');
    expect((await running.exited).code).toBe(0);
  });

  it('--job-fail makes kill jobs end FAIL with the reason', async () => {
    const running = run(['--port', '0', '--job-ms', '0', '--job-fail', 'maintenance window']);
    const [, url] = (await waitFor(running, /export DCS_ENDPOINT=(http:\/\/127\.0\.0\.1:\d+)/)) as [string, string];
    const kill = await signedRequest({ url }, { method: 'POST', path: `/v2/${DEMO.projectId}/instances/${DEMO.shop}/clients/kill-all`, body: { kill_all_nodes: true } });
    const jobId = (kill.json as { job_id: string }).job_id;
    const job = await signedRequest({ url }, { method: 'GET', path: `/v2/${DEMO.projectId}/jobs/${jobId}` });
    expect(job.json).toMatchObject({ status: 'FAIL', fail_reason: 'maintenance window' });
    running.child.kill('SIGINT');
    expect((await running.exited).code).toBe(0);
  });

  it('exits 2 with the usage on a bad option', async () => {
    const { code, stderr } = await run(['--port', 'abc']).exited;
    expect(code).toBe(2);
    expect(stderr).toContain('--port needs a non-negative integer');
    expect(stderr).toContain('Usage:');
  });

  it('exits 1 with one clear line on a bad seed', async () => {
    const { code, stderr } = await run(['--port', '0', '--seed', '/nonexistent/seed.json']).exited;
    expect(code).toBe(1);
    expect(stderr.trim()).toBe('emulator: [SEED_UNREADABLE] Cannot read emulator seed /nonexistent/seed.json: ENOENT');
  });
});
