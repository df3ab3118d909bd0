/**
 * A JSON policy (inline GUARD_POLICY, a .json file) is read by JSON.parse,
 * without yaml; it must refuse and locate exactly what the full path (yaml,
 * held to JSON's grammar) does, duplicated keys first: JSON.parse alone keeps
 * the last one, so a second "dryRun" would silently win.
 */
import fc from 'fast-check';
import { INLINE_SOURCE, loadPolicy, parsePolicy } from '../../lib/policy';
import { validatePolicyText } from '../../lib/policy/validate-module';
import { DEPLOY_POLICY } from './examples';

const inline = (text: string) => loadPolicy({ env: { GUARD_POLICY: text }, defaultPath: DEPLOY_POLICY });

describe('duplicated keys are refused, located', () => {
  test.each([
    ['top level dryRun', '{"version": 1, "dryRun": true, "dryRun": false}', 1, 32],
    ['nested, on another line', '{"version": 1,\n "guard": {"failOpen": false,\n  "failOpen": true}}', 3, 3],
    ['inside a rule', '{"version": 1, "alarms": [{"name": "a", "match": {}, "scope": "node", "scope": "instance"}]}', 1, 71],
    ['written differently, the same key', '{"version": 1, "dryRun": true, "dry\\u0052un": false}', 1, 32],
  ])('%s', (_, text, line, column) => {
    const result = inline(text);
    if (result.ok) throw new Error(`accepted: ${JSON.stringify(result.value.policy)}`);
    expect(result.error).toMatchObject({ code: 'policy_syntax', source: INLINE_SOURCE, line, column });
    expect(result.error.message).toMatch(/^Syntax error: Map keys must be unique/);
  });

  test('a key-like text inside a string value is not a key', () => {
    const text = '{"version": 1, "alarms": [{"name": "dryRun\\": \\"x", "match": {"alarmNames": ["\\"dryRun\\":", ":", "a\\\\"]}}]}';
    const result = inline(text);
    if (!result.ok) throw new Error(result.error.format());
    expect(result.value.policy.alarms[0]?.name).toBe('dryRun": "x');
    expect(result.value.policy.alarms[0]?.match.alarmNames).toEqual(['"dryRun":', ':', 'a\\']);
  });

  test('the same key in two different objects is no duplicate', () => {
    expect(inline('{"version": 1, "guard": {"failOpen": false}, "history": {"enabled": false}, "metrics": {"enabled": false}}').ok).toBe(true);
  });
});

test('nesting past the cap is refused with its place, before the schema walks it', () => {
  const deep = `{"version": 1, "$schema": ${'['.repeat(40)}${']'.repeat(40)}}`;
  const result = inline(deep);
  expect(result.ok ? null : result.error.format()).toBe('policy GUARD_POLICY (inline JSON):1:58: Syntax error: JSON nested deeper than 32 levels');
});

/** Policy-ish JSON texts: known and unknown keys, sometimes written twice, values of every JSON type. */
const jsonText = (() => {
  const key = fc.constantFrom('version', 'dryRun', 'guard', 'cooldownSeconds', 'failOpen', 'alarms', 'name', 'match', 'metrics', 'scope', 'x"y', 'a:b', '\\');
  const scalar = fc.oneof(fc.constant(1), fc.constant(true), fc.constant(false), fc.constant(null), fc.integer({ min: -5, max: 1000 }), fc.constantFrom('auto', 'node', 'a":"b', ''));
  const { value } = fc.letrec<{ value: string }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      scalar.map((s) => JSON.stringify(s)),
      fc.array(tie('value'), { maxLength: 3 }).map((items) => `[${items.join(', ')}]`),
      // Keys drawn with repetition: duplicates happen.
      fc.array(fc.tuple(key, tie('value')), { maxLength: 4 }).map((pairs) => `{${pairs.map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join(',\n ')}}`),
    ),
  }));
  const object = (pairs: [string, string][]) => `{${pairs.map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join(', ')}}`;
  const policyLike = fc.array(fc.tuple(key, value), { maxLength: 5 }).map((pairs) => object([['version', '1'], ...pairs]));
  // Valid pieces, some written twice: valid policies once JSON.parse has dropped the first of each pair.
  const guard = fc
    .array(fc.oneof(fc.tuple(fc.constant('cooldownSeconds'), fc.nat(1000).map(String)), fc.tuple(fc.constant('failOpen'), fc.boolean().map(String))), { maxLength: 3 })
    .map(object);
  const validish = fc
    .array(fc.oneof(fc.tuple(fc.constant('dryRun'), fc.boolean().map(String)), fc.tuple(fc.constant('guard'), guard), fc.tuple(fc.constant('version'), fc.constant('1'))), { maxLength: 4 })
    .map((pairs) => object([['version', '1'], ...pairs]));
  return fc.oneof(validish, policyLike, value);
})();

test('property: the JSON path accepts, refuses and locates exactly what the full path does', () => {
  fc.assert(
    fc.property(jsonText, (text) => {
      const fast = parsePolicy(text, 'p.json');
      const full = validatePolicyText(text, 'json');
      expect(fast.ok).toBe(full.ok);
      if (fast.ok && full.ok) expect(fast.value).toStrictEqual(full.value);
      if (!fast.ok && !full.ok) expect(fast.error.issues).toEqual(full.error.issues);
    }),
    { numRuns: 400 },
  );
});
