/** --help everywhere, and every command-line mistake a usage error (exit 2) that names it. */
import { runCli } from './support';

const COMMANDS = ['invoke', 'plan', 'validate', 'serve', 'emulator', 'sessions'];

describe('dcs-session-guard --help and usage errors', () => {
  it('lists the commands and the exit codes', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^ {2}${c} `, 'm'));
    expect(r.stdout).toContain('Exit codes:');
    for (const code of ['0', '1', '2', '3']) expect(r.stdout).toMatch(new RegExp(`^ {2}${code} {2}\\S`, 'm'));
    expect((await runCli(['help'])).stdout).toBe(r.stdout);
  });

  it.each(COMMANDS)('%s --help describes the command (exit 0)', async (command) => {
    const long = await runCli([command, '--help']);
    expect(long.code).toBe(0);
    expect(long.stdout).toContain(`dcs-session-guard ${command}`);
    expect(long.stdout).toContain('Exit codes:');
    const short = await runCli([command, '-h']);
    expect(short.code).toBe(0);
    expect((await runCli(['help', command])).code).toBe(0);
  });

  it('emulator --help also shows the emulator options', async () => {
    const r = await runCli(['emulator', '--help']);
    expect(r.stdout).toContain('--job-fail REASON');
  });

  it.each([
    [['bogus'], 'unknown command "bogus"'],
    [['invoke', 'alarm', '--evnt', 'x.json'], "Unknown option '--evnt'"],
    [['plan', '--event', 'x.json', '--jsn'], "Unknown option '--jsn'"],
    [['validate', '--strict'], "Unknown option '--strict'"],
    [['serve', '--port', 'eighty'], '--port needs a port number'],
    [['serve', '--bogus'], "Unknown option '--bogus'"],
    [['serve', 'extra'], 'unexpected argument: extra'],
    [['invoke', '--event', 'x.json'], 'which function? invoke alarm|cron'],
    [['invoke', 'lambda', '--event', 'x.json'], 'unknown function "lambda"'],
    [['invoke', 'alarm'], '--event FILE is required'],
    [['invoke', 'alarm', '--event', 'no/such/event.json'], 'cannot read the event file no/such/event.json: no such file'],
    [['plan', '--event', 'package.json', 'alarm', 'cron'], 'unexpected argument: cron'],
    [['help', 'bogus'], 'unknown command "bogus"'],
    [['sessions'], 'name the instance'],
    [['sessions', '5e2b1c9a-7f3d-4d2e-9b8a-1c2d3e4f5a6b', '--idle', 'ten'], '--idle needs a number of seconds'],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });

  it('with no command prints the usage on stderr (exit 2)', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: dcs-session-guard <command>');
  });

  it('an event file that is not JSON is a usage error naming the file', async () => {
    const r = await runCli(['plan', '--event', '-'], { stdin: 'not json {' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the event file - is not JSON');
  });
});
