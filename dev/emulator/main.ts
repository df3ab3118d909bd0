/**
 * `npm run emulator` (node dist/dev/emulator.js): the DCS API emulator for people.
 * Prints the URL, the seed's credentials and the environment lines to export, logs each DCS
 * request on one line (never a key or token), and stops cleanly on Ctrl-C or SIGTERM.
 */
import { parseArgs } from 'node:util';
import type { FaultSpec } from './faults';
import type { RecordedRequest } from './server';
import { startEmulator, type Emulator } from './server';
import type { Credential } from './signature';

const USAGE = `Usage: node dist/dev/emulator.js [options]

  --port N              listen port (default 8080; 0 = any free port)
  --host H              listen address (default 127.0.0.1)
  --seed FILE           seed JSON (default: the built-in demo seed)
  --job-ms N            how long a DCS job takes (default 1000)
  --max-skew-ms N       accepted X-Sdk-Date skew (default 900000 = 15 min)
  --redis-nodes         back every node of a Redis 4.0+ instance with a real redis-server
                        (started from PATH on a free loopback port, stopped with the emulator)
  --list-page-size N    listClients answers at most N sessions per page (default 1000)
Fault injection (one rule, for every DCS call unless --fail-operation narrows it):
  --latency-ms N        answer N ms late
  --fail-status S       answer with HTTP status S (400-599)
  --fail-code C         ... and error_code C
  --fail-msg M          ... and error_msg M
  --reset-connections   destroy the connection instead of answering
  --hang                never answer
  --redirect URL        answer 302 to URL
  --fail-operation OP   only for this SDK call, e.g. hangUpKillAllClients
  --fault-times N       only for the first N matching calls
  --job-fail REASON     kill jobs end FAIL with this reason (all of them, or --fault-times N;
                        with --fail-operation scanClients: scan jobs)
  --job-hang            kill jobs never end (same scope as --job-fail)
  -h, --help`;

const CLI_JOB_MS = 1000;

interface Cli {
  port: number;
  host: string;
  seed: string | undefined;
  jobMs: number;
  maxSkewMs: number | undefined;
  redisNodes: boolean;
  listPageSize: number | undefined;
  faults: FaultSpec[];
}

class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'USAGE';
}

function parseCli(argv: string[]): Cli | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        seed: { type: 'string' },
        'job-ms': { type: 'string' },
        'max-skew-ms': { type: 'string' },
        'redis-nodes': { type: 'boolean' },
        'list-page-size': { type: 'string' },
        'latency-ms': { type: 'string' },
        'fail-status': { type: 'string' },
        'fail-code': { type: 'string' },
        'fail-msg': { type: 'string' },
        'reset-connections': { type: 'boolean' },
        hang: { type: 'boolean' },
        redirect: { type: 'string' },
        'fail-operation': { type: 'string' },
        'fault-times': { type: 'string' },
        'job-fail': { type: 'string' },
        'job-hang': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  const scope: Partial<FaultSpec> = {};
  if (v['fail-operation'] !== undefined) scope.operation = v['fail-operation'];
  if (v['fault-times'] !== undefined) scope.times = int(v['fault-times'], '--fault-times');

  const request: FaultSpec = { ...scope };
  if (v['latency-ms'] !== undefined) request.latencyMs = int(v['latency-ms'], '--latency-ms');
  if (v['fail-status'] !== undefined) request.status = int(v['fail-status'], '--fail-status');
  if (v['fail-code'] !== undefined) request.errorCode = v['fail-code'];
  if (v['fail-msg'] !== undefined) request.errorMsg = v['fail-msg'];
  if (v['reset-connections']) request.reset = true;
  if (v.hang) request.hang = true;
  if (v.redirect !== undefined) request.redirectTo = v.redirect;

  const faults: FaultSpec[] = [];
  if (Object.keys(request).length > Object.keys(scope).length) faults.push(request);
  // From the command line a job failure is for every kill job, unless --fault-times says otherwise.
  const jobScope = { times: scope.times ?? Number.MAX_SAFE_INTEGER, ...(scope.operation !== undefined ? { operation: scope.operation } : {}) };
  if (v['job-fail'] !== undefined) faults.push({ ...jobScope, jobFail: v['job-fail'] });
  if (v['job-hang']) faults.push({ ...jobScope, jobHang: true });
  return {
    port: v.port === undefined ? 8080 : int(v.port, '--port'),
    host: v.host ?? '127.0.0.1',
    seed: v.seed,
    jobMs: v['job-ms'] === undefined ? CLI_JOB_MS : int(v['job-ms'], '--job-ms'),
    maxSkewMs: v['max-skew-ms'] === undefined ? undefined : int(v['max-skew-ms'], '--max-skew-ms'),
    redisNodes: v['redis-nodes'] === true,
    listPageSize: v['list-page-size'] === undefined ? undefined : int(v['list-page-size'], '--list-page-size'),
    faults,
  };
}

function int(text: string, flag: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag} needs a non-negative integer, got "${text}"`);
  return Number(text);
}

function banner(emulator: Emulator, credentials: Credential[], cli: Cli): string {
  const lines = [`DCS API emulator listening on ${emulator.url}`, '', 'Credentials in the seed (demo values, not secrets):'];
  for (const c of credentials) lines.push(`  project ${c.projectId}  AK ${c.ak}  SK ${c.sk}`);
  const first = credentials[0];
  if (first) {
    lines.push('', 'Export these to point the guard at the emulator:');
    lines.push(`  export HUAWEICLOUD_SDK_AK=${first.ak}`, `  export HUAWEICLOUD_SDK_SK=${first.sk}`);
    lines.push(`  export HUAWEICLOUD_SDK_PROJECT_ID=${first.projectId}`, `  export DCS_ENDPOINT=${emulator.url}`);
  }
  lines.push('', `Jobs take ${cli.jobMs} ms. Control API: ${emulator.url}/__emulator/state, /__emulator/requests, /__emulator/faults`);
  const real = emulator.realNodes();
  if (real.length > 0) {
    lines.push('', `Nodes backed by a real redis-server (${real.length}; kill-all drops their normal client connections):`);
    for (const n of real) lines.push(`  node ${n.nodeId}  redis://${n.host}:${n.port}${n.pid === null ? '' : `  (pid ${n.pid})`}`);
  }
  for (const f of emulator.faults.list()) lines.push(`Fault active: ${JSON.stringify(f)}`);
  lines.push('Ctrl-C to stop.', '');
  return lines.join('\n');
}

function logLine(r: RecordedRequest): string {
  const outcome = r.status === null ? 'no answer (fault)' : String(r.status);
  return `${new Date(r.time).toISOString()} ${r.method} ${r.path} -> ${outcome} ${r.operation}${r.authOk ? '' : ' (auth failed)'}`;
}

async function main(argv: string[]): Promise<number> {
  let cli: Cli | 'help';
  try {
    cli = parseCli(argv);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (cli === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const emulator = await startEmulator({
    port: cli.port,
    host: cli.host,
    jobDurationMs: cli.jobMs,
    onRequest: (r) => process.stdout.write(`${logLine(r)}\n`),
    ...(cli.seed !== undefined ? { seed: cli.seed } : {}),
    ...(cli.maxSkewMs !== undefined ? { maxSkewMs: cli.maxSkewMs } : {}),
    ...(cli.redisNodes ? { redisNodes: true } : {}),
    ...(cli.listPageSize !== undefined ? { listPageSize: cli.listPageSize } : {}),
  });
  for (const f of cli.faults) emulator.faults.add(f);
  // Listen for signals before printing: whoever reads the banner may stop us at once.
  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.stdout.write(`\n${signal}: stopping the emulator\n`);
      void emulator.close().then(resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  process.stdout.write(banner(emulator, emulator.state.allCredentials(), cli));
  await stopped;
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    // SeedError, FaultSpecError, EADDRINUSE...: one clear line, no stack.
    const error = e as Error & { code?: string };
    process.stderr.write(`emulator: ${error.code ? `[${error.code}] ` : ''}${error.message}\n`);
    process.exit(1);
  },
);
