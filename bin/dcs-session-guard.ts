#!/usr/bin/env node
/**
 * dcs-session-guard: the command line (package bin, built to dist/cli.js).
 *
 *   dcs-session-guard invoke <alarm|cron> --event FILE   run a built handler on an event
 *   dcs-session-guard plan --event FILE                  what would happen, nothing killed
 *   dcs-session-guard validate [POLICY]                  check a policy
 *   dcs-session-guard serve                              the local runner (npm start)
 *   dcs-session-guard emulator                           the DCS API emulator alone
 *   dcs-session-guard history [--since 24h] [--follow]   the decisions recorded in Redis
 *   dcs-session-guard sessions <instance>                an instance's client sessions, the idlest first
 *   dcs-session-guard doctor [--json]                    will this deployment work? (never kills)
 *   dcs-session-guard deploy [FILE] [--plan] [--arm]     both functions and triggers to FunctionGraph
 *   dcs-session-guard undeploy [FILE] [--plan]           remove what deploy created
 */
import { installedLayout } from '../dev/runner/layout';
import { UsageError } from './cli/args';
import type { Command } from './cli/command';
import { EXIT, EXIT_CODES_HELP, type ExitCode, type Io } from './cli/io';
import { deployCommand, undeployCommand } from './commands/deploy';
import { doctorCommand } from './commands/doctor';
import { emulatorCommand } from './commands/emulator';
import { historyCommand } from './commands/history';
import { invokeCommand } from './commands/invoke';
import { planCommand } from './commands/plan';
import { serveCommand } from './commands/serve';
import { sessionsCommand } from './commands/sessions';
import { validateCommand } from './commands/validate';

const COMMANDS: readonly Command[] = [invokeCommand, planCommand, validateCommand, serveCommand, emulatorCommand, historyCommand, sessionsCommand, doctorCommand, deployCommand, undeployCommand];

const USAGE = `Usage: dcs-session-guard <command> [options]

Kills Huawei Cloud DCS client sessions on Cloud Eye alarms, guarded and audited.
This tool runs the built functions locally, checks a deployment and deploys it.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(12)}${c.summary}`).join('\n')}
  help [cmd]  this text, or a command's

"dcs-session-guard <command> --help" describes each command.

${EXIT_CODES_HELP}`;

export async function main(argv: string[], io: Io): Promise<ExitCode> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.err(USAGE);
    return EXIT.USAGE;
  }
  if (name === '--help' || name === '-h') {
    io.out(USAGE);
    return EXIT.OK;
  }
  if (name === 'help') return help(rest[0], io);
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`dcs-session-guard: unknown command "${name}"\n\n${USAGE}`);
    return EXIT.USAGE;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`dcs-session-guard ${command.name}: ${e.message}\n\n${command.usage}`);
      return EXIT.USAGE;
    }
    throw e;
  }
}

function help(name: string | undefined, io: Io): ExitCode {
  if (name === undefined) {
    io.out(USAGE);
    return EXIT.OK;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`dcs-session-guard: unknown command "${name}"`);
    return EXIT.USAGE;
  }
  io.out(command.usage);
  return EXIT.OK;
}

function processIo(): Io {
  const write = (stream: NodeJS.WriteStream) => (text: string) => {
    stream.write(`${text}\n`);
  };
  // A closed pipe (dcs-session-guard ... | head) is not an error worth a stack trace.
  process.stdout.on('error', () => undefined);
  return { out: write(process.stdout), err: write(process.stderr), env: process.env, cwd: process.cwd(), layout: installedLayout() };
}

/** Runs the command line of this process and exits with its code: dist/cli.js run directly, or through bin/launcher.js. */
export function run(): void {
  main(process.argv.slice(2), processIo()).then(
    (code) => {
      process.exitCode = code;
      // Let stdout drain, then leave even if a library left a handle open.
      process.stdout.write('', () => process.exit(code));
    },
    (e: unknown) => {
      process.stderr.write(`dcs-session-guard: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(EXIT.CANNOT_RUN);
    },
  );
}

if (require.main === module) run();
