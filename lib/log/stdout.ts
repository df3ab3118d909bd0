/**
 * One line to stdout, the way every audit and log line leaves the function.
 *
 * A write(2) on fd 1: on Linux a write to a pipe or a file is in it when the
 * call returns, so a decision's line survives the platform stopping the
 * function right after. process.stdout is a stream, created on first use:
 * at a cold start it costs more than everything else a rejected event does,
 * and per line it costs several times the write itself. If fd 1 is
 * non-blocking and full (EAGAIN), that line's rest and every later line go
 * through process.stdout, which queues them: lines never overtake each other.
 */
import { writeSync } from 'node:fs';

let viaStream = false;

export function writeStdoutLine(line: string): void {
  const text = `${line}\n`;
  if (viaStream) {
    process.stdout.write(text);
    return;
  }
  let bytes: Buffer | undefined;
  let written = 0;
  try {
    written = writeSync(1, text);
    if (written === Buffer.byteLength(text)) return;
    bytes = Buffer.from(text);
    while (written < bytes.length) written += writeSync(1, bytes, written);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
    viaStream = true;
    process.stdout.write((bytes ?? Buffer.from(text)).subarray(written));
  }
}
