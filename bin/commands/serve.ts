/** `serve`: the local runner (npm start). */
import { startRunner } from '../../dev/runner/runner';
import { parseCommandArgs, portValue, stringValue } from '../cli/args';
import type { Command } from '../cli/command';
import { EXIT, EXIT_CODES_HELP, type ExitCode } from '../cli/io';

export const DEFAULT_GATEWAY_PORT = 8787;

const USAGE = `Usage: dcs-session-guard serve [--port N] [--emulator-port N] [--policy FILE] [--no-redis] [--live] [--raw]

The local runner: the DCS API emulator (demo seed; a real redis-server per node when
redis-server is on PATH), the built alarm and cron functions in warm containers, and a
local gateway on 127.0.0.1 that triggers them as FunctionGraph does:
  POST /cloudeye          APIG trigger event (the SMN HTTP(S) webhook) -> alarm
  POST /smn               SMN trigger event wrapping the posted alarm message -> alarm
  POST /timer/<schedule>  timer trigger event -> cron
  GET  /audit             the audit records so far;  GET /kills  the kill-all calls received
It prints copy-paste curl commands. Ctrl-C stops everything (exit 0).

With DCS_REGION or DCS_ENDPOINT and credentials (HUAWEICLOUD_SDK_AK/SK, HUAWEICLOUD_SDK_PROJECT_ID)
in the environment, the functions use that DCS API instead, with GUARD_DRY_RUN=true unless --live.

Options:
  --port N            gateway port (default ${DEFAULT_GATEWAY_PORT}; 0 = any free port, printed)
  --emulator-port N   emulator port (default 0 = any free port, printed)
  --policy FILE       policy for the functions (default: dev/runner/demo-policy.yaml with the emulator,
                      GUARD_POLICY or the packaged policy with a real DCS API)
  --no-redis          simulated sessions even when redis-server is available
  --live              real DCS API only: do not force the dry run (the policy decides)
  --raw               print the functions' JSON lines as they are
  -h, --help

${EXIT_CODES_HELP}`;

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
    const started = await startRunner({
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
    });
    if (!started.ok) {
      io.err(`serve: ${started.error.message}`);
      started.error.details.forEach((line) => io.err(`  ${line}`));
      return started.error.code === 'policy_invalid' ? EXIT.DECISION_FAILED : EXIT.CANNOT_RUN;
    }
    const runner = started.value;
    return new Promise<ExitCode>((resolve) => {
      let stopping = false;
      const stop = (signal: NodeJS.Signals) => {
        if (stopping) {
          io.err(`${signal} again: exiting without waiting`);
          resolve(EXIT.CANNOT_RUN);
          return;
        }
        stopping = true;
        io.out(`\n${signal}: stopping the gateway, the functions${runner.emulatorUrl ? ', the emulator' : ''}...`);
        runner.stop().then(() => {
          io.out('stopped.');
          resolve(EXIT.OK);
        });
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
  },
};
