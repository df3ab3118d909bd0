/** The policy's `action` on rules and schedules: the shape, the defaults, and errors with line:column. */
import { parsePolicy, type Policy, type PolicyError } from '../../lib/policy';
import type { Result } from '../../lib/domain/types';

const PRECISION = `version: 1
alarms:
  - name: idle-leak
    match: { alarmNames: ["dcs-conn-*"] }
    action:
      kind: kill-matching
      select:
        idleSecondsAtLeast: 600
        ageSecondsAtLeast: 60
        addresses: ["10.0.0.0/8", "192.168.3.7", "2001:db8::/32"]
        names: ["batch-*"]
        commands: ["blpop", "subscribe"]
      protect:
        addresses: ["10.0.5.0/24"]
        names: ["sentinel*", "monitor*"]
      maxSessionsPerNode: 500
      whenNoneMatch: kill-all
  - name: plain
    match: { alarmNames: ["other-*"] }
schedules:
  idle-sweep:
    action: { kind: kill-matching, select: { idleSecondsAtLeast: 3600 } }
    targets:
      - instance: 5e2b1c9a-7f3d-4d2e-9b8a-1c2d3e4f5a6b
        nodes: all
`;

const ok = (r: Result<Policy, PolicyError>): Policy => {
  if (!r.ok) throw new Error(r.error.format());
  return r.value;
};
const problem = (text: string): PolicyError => {
  const r = parsePolicy(text, 'p.yaml');
  if (r.ok) throw new Error('expected a policy error');
  return r.error;
};
/** The precision example with one line replaced. */
const withLine = (from: string, to: string) => {
  if (!PRECISION.includes(from)) throw new Error(`no line ${from}`);
  return PRECISION.replace(from, to);
};

test('a precision rule and a precision schedule load, with their defaults', () => {
  const policy = ok(parsePolicy(PRECISION, 'p.yaml'));
  expect(policy.alarms[0]!.action).toEqual({
    kind: 'kill-matching',
    select: { idleSecondsAtLeast: 600, ageSecondsAtLeast: 60, addresses: ['10.0.0.0/8', '192.168.3.7', '2001:db8::/32'], names: ['batch-*'], commands: ['blpop', 'subscribe'] },
    protect: { addresses: ['10.0.5.0/24'], names: ['sentinel*', 'monitor*'] },
    maxSessionsPerNode: 500,
    whenNoneMatch: 'kill-all',
  });
  expect(policy.alarms[1]!.action).toEqual({ kind: 'kill-all' });
  expect(policy.schedules['idle-sweep']!.action).toEqual({ kind: 'kill-matching', select: { idleSecondsAtLeast: 3600 }, maxSessionsPerNode: 1000, whenNoneMatch: 'skip' });
});

test('an empty select is an error that says it is kill-all, at its line', () => {
  const error = problem(withLine('    action: { kind: kill-matching, select: { idleSecondsAtLeast: 3600 } }', '    action: { kind: kill-matching, select: {} }'));
  expect(error.format()).toMatch(/^policy p\.yaml:22:44 at schedules\["idle-sweep"\]\.action\.select: select names no criterion.*that is kill-all/);
});

test('a bad CIDR is reported at its line and column', () => {
  const error = problem(withLine('"192.168.3.7"', '"192.168.3.700"'));
  expect(error.format()).toMatch(/^policy p\.yaml:10:35 at alarms\[0\]\.action\.select\.addresses\[1\]: "192\.168\.3\.700" is not an IPv4 or IPv6 address or CIDR/);
  const hostBits = problem(withLine('["10.0.5.0/24"]', '["10.0.5.1/24"]'));
  expect(hostBits.format()).toMatch(/:14:\d+ at alarms\[0\]\.action\.protect\.addresses\[0\]: "10\.0\.5\.1\/24" has host bits set; did you mean "10\.0\.5\.0\/24"\?/);
});

test.each([
  ['an unknown kind', '      kind: kill-matching', '      kind: kill-some', /Expected kind: kill-all or kill-matching|Invalid input/],
  ['an unknown select key', '        idleSecondsAtLeast: 600', '        idleSeconds: 600', /Unknown key "idleSeconds" \(did you mean "idleSecondsAtLeast"\?\)/],
  ['idle 0', '        idleSecondsAtLeast: 600', '        idleSecondsAtLeast: 0', /0 would choose every session/],
  ['a cap of 0', '      maxSessionsPerNode: 500', '      maxSessionsPerNode: 0', /maxSessionsPerNode/],
  ['an unknown whenNoneMatch', '      whenNoneMatch: kill-all', '      whenNoneMatch: wait', /whenNoneMatch/],
  ['an empty names list', '        names: ["batch-*"]', '        names: []', /List at least one client name pattern/],
  ['a command that is no name', '        commands: ["blpop", "subscribe"]', '        commands: ["blpop x"]', /Redis command name/],
  ['a protect criterion protect does not know', '        names: ["sentinel*", "monitor*"]', '        idleSecondsAtLeast: 5', /Unknown key "idleSecondsAtLeast"/],
])('%s is a policy error', (_name, from, to, message) => {
  expect(problem(withLine(from, to)).formatAll().join('\n')).toMatch(message);
});

test('kill-all takes no precision settings', () => {
  expect(problem(withLine('      kind: kill-matching', '      kind: kill-all')).format()).toMatch(/Unknown key "select"/);
});
