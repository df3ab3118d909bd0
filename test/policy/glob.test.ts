import fc from 'fast-check';
import { compileGlob, globMatch, matchesAny } from '../../lib/policy';

describe('glob', () => {
  test.each<[string, string, boolean]>([
    ['dcs-*', 'dcs-node-clients', true],
    ['dcs-*', 'dcs-', true],
    ['dcs-*', 'xdcs-a', false],
    ['*-high', 'dcs-clients-high', true],
    ['*-high', 'dcs-clients-high-2', false],
    ['dcs-?', 'dcs-a', true],
    ['dcs-?', 'dcs-ab', false],
    ['dcs-?', 'dcs-', false],
    ['a*b*c', 'a-x-b-y-c', true],
    ['DCS-*', 'dcs-a', false],
    ['*', '', true],
    ['?', '告', true],
    ['a.b', 'axb', false],
    ['(x)[y]{1}|^$+\\', '(x)[y]{1}|^$+\\', true],
    ['a*', 'a\nb', true],
  ])('%j against %j → %s', (pattern, value, expected) => {
    expect(globMatch(pattern, value)).toBe(expected);
  });

  test('a pattern without wildcards matches exactly itself', () => {
    const literal = fc.string().filter((s) => !/[*?]/.test(s));
    fc.assert(
      fc.property(literal, fc.string(), (pattern, other) => {
        expect(globMatch(pattern, pattern)).toBe(true);
        expect(globMatch(pattern, other)).toBe(other === pattern);
      }),
    );
  });

  test('prefix* matches exactly the values that start with the prefix', () => {
    const prefix = fc.string().filter((s) => !/[*?]/.test(s));
    fc.assert(
      fc.property(prefix, fc.string(), (p, value) => {
        expect(globMatch(`${p}*`, value)).toBe(value.startsWith(p));
      }),
    );
  });

  test('each pattern compiles once', () => {
    expect(compileGlob('cache-me-*')).toBe(compileGlob('cache-me-*'));
  });

  test('matchesAny', () => {
    expect(matchesAny(['a', 'b*'], 'bee')).toBe(true);
    expect(matchesAny(['a', 'b*'], 'see')).toBe(false);
    expect(matchesAny([], 'anything')).toBe(false);
  });
});
