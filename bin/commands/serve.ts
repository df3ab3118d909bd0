/** `serve`: the local runner (npm start). */
import { startRunner, type RunnerOptions } from '../../dev/runner/runner';
import { parseCommandArgs, portValue, stringValue } from '../cli/args';
import type { Command } from '../cli/command';
import { EXIT, EXIT_CODES_HELP, type ExitCode, type Io } from '../cli/io';
import { listenForStopSignals, type StopSignal, type StopSignals } from '../cli/stop-signals';

export const DEFAULT_GATEWAY_PORT = 8787;

const USAGE = `Usage: dcs-session-guard serve [--port N] [--emulator-port N] [--policy FILE] [--no-redis] [--live] [--raw]

The local runner: the DCS API emulator (demo seed; a real redis-server per node when
redis-server is on PATH), the built alarm and cron functions in warm containers, and a
local gateway on 127.0.0.1 that triggers them as FunctionGraph does:
  POST /cloudeye          APIG trigger event (the SMN HTTP(S) webhook) -> alarm
  POST /smn               SMN trigger event wrapping the posted alarm message -> alarm
  POST /timer/<schedule>  timer trigger event -> cron
  GET  /audit             the audit records so far;  GET /kills  the kill-all calls received
Both functions share one guard store, as a deployment with GUARD_REDIS_URL does: a
redis-server the runner starts (your GUARD_REDIS_URL with a real DCS API), else in-process
memory per function (the banner says which). It prints copy-paste curl commands, with
absolute paths. Ctrl-C stops everything (exit 0).

With DCS_REGION or DCS_ENDPOINT and credentials (HUAWEICLOUD_SDK_AK/SK, HUAWEICLOUD_SDK_PROJECT_ID)
in the environment, the functions use that DCS API instead, with GUARD_DRY_RUN=true unless --live.

Options:
  --port N            gateway port (default ${DEFAULT_GATEWAY_PORT}; 0 = any free port, printed)
  --emulator-port N   emulator port (default 0 = any free port, printed)
  --policy FILE       policy for the functions (default: GUARD_POLICY when set, else
                      dev/runner/demo-policy.yaml with the emulator, the packaged policy with a real DCS API)
  --no-redis          simulated sessions even when redis-server is available (the guard store still uses one)
  --live              real DCS API only: do not force the dry run (the policy decides)
  --raw               print the functions' JSON lines as they are
  -h, --help

${EXIT_CODES_HELP}`;

/** How long a failed start waits for the Ctrl-C that may have caused it (signal and child exit race). */
const SIGNAL_GRACE_MS = 200;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `work`, unless a second signal comes first (the first one only asks for a clean stop). */
async function untilInsisted<T>(signals: StopSignals, work: Promise<T>): Promise<{ kind: 'done'; value: T } | { kind: 'insisted'; signal: StopSignal }> {
  const insisted = signals.again.then((signal) => ({ kind: 'insisted' as const, signal }));
  return Promise.race([work.then((value) => ({ kind: 'done' as const, value })), insisted]);
}

function stoppedWhileStarting(signal: StopSignal, io: Io): ExitCode {
  io.out(`\n${signal} while starting: stopped.`);
  return EXIT.OK;
}

/** What is left (redis-servers, function containers) is ended by the emulator's exit hook and by IPC disconnect. */
function exitWithoutWaiting(signal: StopSignal, io: Io): ExitCode {
  io.err(`${signal} again: exiting without waiting`);
  return EXIT.CANNOT_RUN;
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'the local runner: emulator + functions + local gateway (npm start)',
  usage: USAGE,
  async run(argv, io) {
    const args = parseCommandArgs(
      argv,
      {
        port: { type: 'string' },
        'emulator-port': { type: 'string' },
        policy: { type: 'string' },
        'no-redis': { type: 'boolean' },
        live: { type: 'boolean' },
        raw: { type: 'boolean' },
      },
      { max: 0 },
    );
    if (args.values.help) {
      io.out(USAGE);
      return EXIT.OK;
    }
    const policy = stringValue(args.values.policy);
    const options: RunnerOptions = {
      layout: io.layout,
      env: io.env,
      cwd: io.cwd,
      host: '127.0.0.1',
      port: portValue(args.values.port, '--port', DEFAULT_GATEWAY_PORT),
      emulatorPort: portValue(args.values['emulator-port'], '--emulator-port', 0),
      live: args.values.live === true,
      policy: policy ?? null,
      realRedis: args.values['no-redis'] !== true,
      raw: args.values.raw === true,
      print: io.out,
    };
    // From here on a Ctrl-C is ours: see stop-signals.ts for why this comes before the start.
    const signals = listenForStopSignals();
    const asked: { signal: StopSignal | null } = { signal: null };
    void signals.first.then((signal) => (asked.signal = signal));
    try {
      const started = await untilInsisted(signals, startRunner(options));
      if (started.kind === 'insisted') return exitWithoutWaiting(started.signal, io);
      if (!started.value.ok) {
        // startRunner has stopped what it started. A Ctrl-C during the start is why it failed
        // (e.g. a container that took the signal before it could ignore it): a clean stop.
        // The group's Ctrl-C reaches us and the container at once, but the container's exit may be
        // read first: give our own signal a moment to land before calling it a failure.
        const signal = asked.signal ?? (await Promise.race([signals.first, sleep(SIGNAL_GRACE_MS).then(() => null)]));
        if (signal !== null) return stoppedWhileStarting(signal, io);
        io.err(`serve: ${started.value.error.message}`);
        started.value.error.details.forEach((line) => io.err(`  ${line}`));
        return started.value.error.code === 'policy_invalid' ? EXIT.DECISION_FAILED : EXIT.CANNOT_RUN;
      }
      const runner = started.value.value;
      const signal = await signals.first;
      io.out(`\n${signal}: stopping the gateway, the functions${runner.emulatorUrl ? ', the emulator' : ''}...`);
      const stopped = await untilInsisted(signals, runner.stop());
      if (stopped.kind === 'insisted') return exitWithoutWaiting(stopped.signal, io);
      io.out('stopped.');
      return EXIT.OK;
    } finally {
      signals.close();
    }
  },
};
