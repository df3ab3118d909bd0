import { redact } from '../audit/redact';
import { writeStdoutLine } from './stdout';

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/**
 * Structured operational log lines (JSON on stdout, like the audit lines, but
 * with type "log"), masked against the invocation's secrets.
 */
export class Logger {
  constructor(
    private readonly fields: Record<string, unknown> = {},
    private readonly secrets: readonly string[] = [],
    private readonly write: (line: string) => void = writeStdoutLine,
  ) {}

  warn(message: string, extra: Record<string, unknown> = {}): void {
    this.emit('WARN', message, extra);
  }

  error(message: string, extra: Record<string, unknown> = {}): void {
    this.emit('ERROR', message, extra);
  }

  info(message: string, extra: Record<string, unknown> = {}): void {
    this.emit('INFO', message, extra);
  }

  private emit(level: LogLevel, message: string, extra: Record<string, unknown>): void {
    const line = { type: 'log', time: new Date().toISOString(), level, message, ...this.fields, ...extra };
    this.write(JSON.stringify(redact(line, this.secrets)));
  }
}
