/**
 * The stdout line writer (lib/log/stdout.ts) in a real child process whose stdout
 * is a real pipe: made non-blocking by process.stdout, then filled faster than
 * it is read, so write(2) meets EAGAIN and the writer falls back to the stream.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsg-stdout-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The writer, bundled as the functions bundle it, and a child that writes `count` numbered lines with it. */
function childScript(count: number): string {
  const writer = path.join(dir, 'stdout.js');
  buildSync({ entryPoints: [path.resolve(__dirname, '..', '..', 'lib', 'log', 'stdout.ts')], outfile: writer, bundle: true, platform: 'node', format: 'cjs', logLevel: 'warning' });
  const script = path.join(dir, 'child.js');
  fs.writeFileSync(
    script,
    `const { writeStdoutLine } = require(${JSON.stringify(writer)});
process.stdout.write('first, through the stream\\n');
for (let i = 0; i < ${count}; i++) writeStdoutLine(JSON.stringify({ i, text: 'é€😀'.repeat(200) }));
writeStdoutLine('last');`,
  );
  return script;
}

test('lines reach a slow, full pipe whole and in order (EAGAIN falls back to the stream, for good)', async () => {
  const count = 3000;
  const child = spawn(process.execPath, [childScript(count)], { stdio: ['ignore', 'pipe', 'inherit'] });
  // Nobody reads for a while: the pipe (64 KiB) fills long before 3000 lines of ~2 KiB are written.
  child.stdout.pause();
  await new Promise((resolve) => setTimeout(resolve, 300));
  const chunks: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => chunks.push(c));
  child.stdout.resume();
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(code).toBe(0);
  const lines = Buffer.concat(chunks).toString('utf8').split('\n');
  expect(lines.shift()).toBe('first, through the stream');
  expect(lines.pop()).toBe('');
  expect(lines.pop()).toBe('last');
  expect(lines).toHaveLength(count);
  lines.forEach((line, i) => expect(JSON.parse(line)).toEqual({ i, text: 'é€😀'.repeat(200) }));
});
