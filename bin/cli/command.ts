import type { ExitCode, Io } from './io';

/** One subcommand: its help text and what it does. Usage errors are thrown as UsageError. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[], io: Io): Promise<ExitCode>;
}
