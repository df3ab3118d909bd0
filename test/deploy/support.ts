/**
 * Runs the real Serverless Framework CLI (the project's devDependency) as a child process,
 * offline, with a throwaway HOME so that it writes nothing into the user's home.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
const SERVERLESS_BIN = path.join(REPO_ROOT, 'node_modules', '.bin', 'serverless');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Quiet, offline, reproducible: no telemetry, no update notices, no deprecation noise. */
function cliEnv(home: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: home,
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    SLS_DEPRECATION_DISABLE: '*',
    // Deliberately NOT the parent's environment: the resolved config must not depend on
    // whatever HUAWEICLOUD_* / GUARD_* variables the developer happens to have exported.
    ...extra,
  };
}

export function runServerless(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sls-home-'));
  return new Promise((resolve, reject) => {
    const child = spawn(SERVERLESS_BIN, args, {
      cwd: opts.cwd ?? REPO_ROOT,
      env: cliEnv(home, opts.env ?? {}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      fs.rmSync(home, { recursive: true, force: true });
      resolve({ code, stdout, stderr });
    });
  });
}

/** `serverless print --format json`, parsed; fails loudly with the CLI's own words. */
export async function printConfig(opts: { cwd?: string; env?: Record<string, string>; params?: Record<string, string> } = {}): Promise<ResolvedConfig> {
  const params = Object.entries(opts.params ?? {}).map(([k, v]) => `--param=${k}=${v}`);
  const result = await runServerless(['print', '--format', 'json', ...params], opts);
  if (result.code !== 0) throw new Error(`serverless print exited ${result.code}:\n${result.stderr}${result.stdout}`);
  return JSON.parse(result.stdout) as ResolvedConfig;
}

export interface Trigger {
  triggerTypeCode: string;
  status: string;
  eventData: Record<string, unknown>;
}

export interface FunctionConfig {
  handler: string;
  name: string;
  code: { codeUri: string };
  package: { artifact: string };
  events: Trigger[];
}

export interface ResolvedConfig {
  service: string;
  frameworkVersion: string;
  plugins: string[];
  provider: {
    name: string;
    runtime: string;
    region: string;
    credentials: string;
    memorySize: number;
    timeout: number;
    agencyName: string;
    funcVpc: { vpcId: string; subnetId: string };
    environment: { variables: Record<string, string> };
  };
  functions: Record<string, FunctionConfig>;
}
