/** `emulator [...]`: the DCS API emulator alone (dist/dev/emulator.js, built from dev/emulator/main.ts). */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Command } from '../cli/command';
import { EXIT, EXIT_CODES_HELP, type ExitCode } from '../cli/io';

const USAGE = `Usage: dcs-session-guard emulator [emulator options]

Runs the DCS API emulator on its own (default http://127.0.0.1:8080) and prints the
variables to export so "invoke", "plan" or your own code use it. Its options follow.

${EXIT_CODES_HELP}
`;

export const emulatorCommand: Command = {
  name: 'emulator',
  summary: 'start the DCS API emulator alone (options: emulator --help)',
  usage: USAGE,
  async run(argv, io) {
    const script = io.layout.emulatorCli;
    if (!existsSync(script)) {
      io.err(`${script} does not exist: build first (npm run build)`);
      return EXIT.CANNOT_RUN;
    }
    if (argv.includes('--help') || argv.includes('-h')) io.out(USAGE);
    // The emulator runs in its own process group, so a Ctrl-C reaches it exactly once: from
    // here. Its exit code is ours, except its "could not start" (1), which is our 3.
    const child = spawn(process.execPath, [script, ...argv], { stdio: ['ignore', 'inherit', 'inherit'], detached: true, env: { ...io.env } as NodeJS.ProcessEnv });
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    const code = await new Promise<number>((resolve) => {
      child.once('error', () => resolve(EXIT.CANNOT_RUN));
      child.once('exit', (status, signal) => resolve(status === 1 ? EXIT.CANNOT_RUN : (status ?? (signal ? EXIT.OK : EXIT.CANNOT_RUN))));
    });
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    return code as ExitCode;
  },
};
