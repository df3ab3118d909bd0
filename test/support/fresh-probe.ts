import { spawn } from 'node:child_process';
import { captureOutput } from './output-capture';

/** Calls the bundle's handler once in the child and reports what it returned and what Node loaded. */
const PROBE = `
const path = require('node:path');
const Module = require('node:module');
const requested = new Set();
const load = Module._load;
Module._load = function (request, ...rest) {
  requested.add(request);
  return load.call(this, request, ...rest);
};
const [bundle, event] = process.argv.slice(1);
require(bundle).handler(JSON.parse(event), { getRequestID: () => 'fresh-probe' }).then((r) => {
  const dir = path.dirname(bundle);
  const loaded = Object.keys(require.cache).filter((f) => path.dirname(f) === dir).map((f) => path.basename(f)).sort();
  const tls = process.moduleLoadList.some((m) => /^NativeModule (tls|https|_tls_wrap)$/.test(m));
  const crypto = requested.has('node:crypto') || requested.has('crypto');
  process.stderr.write('PROBE ' + JSON.stringify({ results: r.results, loaded, tls, crypto }) + '\\n');
  process.exit(0);
});`;

export interface FreshProbe {
  /** The handler's audit records. */
  results: { decision: string; rule?: string | null; reason: string }[];
  /** Files of the bundle's folder Node loaded (the lazy files are real files, so require.cache tells the truth). */
  loaded: string[];
  /** Whether Node's TLS was loaded (about 10 ms of a cold start). */
  tls: boolean;
  /**
   * Whether the bundle asked for node:crypto: a request, not Node's module list, since
   * `node -e` loads crypto for itself and a function runtime does not.
   */
  crypto: boolean;
}

/** One event, handled by `bundle` in a fresh node process: a cold start. */
export async function probeFresh(bundle: string, event: unknown, env: NodeJS.ProcessEnv, label: string): Promise<FreshProbe> {
  const child = spawn(process.execPath, ['-e', PROBE, bundle, JSON.stringify(event)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  await new Promise((resolve) => child.on('close', resolve));
  captureOutput(label, stdout, stderr);
  const line = stderr.split('\n').find((l) => l.startsWith('PROBE '));
  if (!line) throw new Error(`probe printed no result: ${stderr}`);
  return JSON.parse(line.slice('PROBE '.length));
}
