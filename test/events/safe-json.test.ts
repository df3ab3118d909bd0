import fc from 'fast-check';
import { DEFAULT_MAX_JSON_BYTES, DEFAULT_MAX_JSON_DEPTH, parseJson } from '../../lib/events/safe-json';
import { checkJsonSyntax } from '../../lib/events/json-syntax';

const nested = (depth: number, open = '[', close = ']'): string => open.repeat(depth) + close.repeat(depth);

describe('parseJson', () => {
  it('returns the same value as JSON.parse for valid JSON', () => {
    const text = '{"a":[1,2.5e3,-0,true,false,null,"x\\u00e9\\n"],"b":{"c":""}}';
    expect(parseJson(text)).toEqual({ ok: true, value: JSON.parse(text) });
  });

  describe('size cap', () => {
    it('refuses text over the default 256 KiB with 413', () => {
      const text = `"${'a'.repeat(DEFAULT_MAX_JSON_BYTES)}"`;
      expect(parseJson(text)).toEqual({ ok: false, error: expect.objectContaining({ status: 413, code: 'too_large' }) });
    });
    it('counts UTF-8 bytes, not characters', () => {
      const text = `"${'€'.repeat(40)}"`; // 42 characters, 122 bytes
      expect(parseJson(text, { maxBytes: 100 })).toMatchObject({ ok: false, error: { status: 413 } });
      expect(parseJson(text, { maxBytes: 122 }).ok).toBe(true);
    });
  });

  describe('depth cap', () => {
    it(`accepts ${DEFAULT_MAX_JSON_DEPTH} levels and refuses one more with 400`, () => {
      expect(parseJson(nested(DEFAULT_MAX_JSON_DEPTH)).ok).toBe(true);
      expect(parseJson(nested(DEFAULT_MAX_JSON_DEPTH + 1))).toMatchObject({ ok: false, error: { status: 400, code: 'too_deep' } });
    });
    it('counts objects and arrays alike, and honours a custom cap', () => {
      expect(parseJson('{"a":{"b":[{}]}}', { maxDepth: 4 }).ok).toBe(true);
      expect(parseJson('{"a":{"b":[{}]}}', { maxDepth: 3 })).toMatchObject({ ok: false, error: { code: 'too_deep' } });
    });
    it('stops a 100 000-level document before building it', () => {
      expect(parseJson(nested(100_000))).toMatchObject({ ok: false, error: { code: 'too_deep' } });
    });
    it('is not fooled by brackets inside strings', () => {
      expect(parseJson(`["${'['.repeat(100)}"]`, { maxDepth: 1 }).ok).toBe(true);
    });
  });

  describe('prototype pollution', () => {
    it.each([
      ['{"__proto__":{"polluted":1}}', '$.__proto__'],
      ['{"a":[{"constructor":{"prototype":{"polluted":1}}}]}', '$.a[0].constructor'],
      ['{"x":{"prototype":1}}', '$.x.prototype'],
      ['{"\\u005f_proto__":{"polluted":1}}', '$.__proto__'],
    ])('refuses %s (400, names %s)', (text, where) => {
      const result = parseJson(text);
      expect(result).toMatchObject({ ok: false, error: { status: 400, code: 'forbidden_key' } });
      if (!result.ok) expect(result.error.reason).toContain(where);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
    it('refuses a forbidden key spelled with an escape at any of its characters', () => {
      for (const key of ['__proto__', 'constructor', 'prototype']) {
        for (let i = 0; i < key.length; i++) {
          const spelled = `${key.slice(0, i)}\\u${key.charCodeAt(i).toString(16).padStart(4, '0')}${key.slice(i + 1)}`;
          const result = parseJson(`{"ok":1,"deep":[{"x":{"${spelled}":{"polluted":1}}}]}`);
          expect(result).toMatchObject({ ok: false, error: { code: 'forbidden_key' } });
        }
      }
    });
    it('accepts escapes and look-alike keys that spell no forbidden key', () => {
      expect(parseJson('{"name":"caf\\u00e9","__proto_":1,"constructors":2,"proto\\u0074ype_":3}')).toEqual({
        ok: true,
        value: { name: 'café', __proto_: 1, constructors: 2, prototype_: 3 },
      });
    });
    it('accepts those words as values', () => {
      expect(parseJson('{"k":"__proto__","l":["constructor"]}').ok).toBe(true);
    });
    it('returns objects that are safe to spread', () => {
      const result = parseJson('{"a":{"b":1}}');
      const merged = { ...(result.ok ? (result.value as object) : {}) };
      expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
      expect(merged).toEqual({ a: { b: 1 } });
    });
  });

  describe('syntax errors name the position', () => {
    it.each([
      ['{"a":}', 5],
      ['{"a":1', 6],
      ['', 0],
      ['[1,2,,]', 5],
      ['{"a":1}x', 7],
      ["{'a':1}", 1],
      ['{"a":1,}', 7],
      ['"tab\there"', 0],
      ['[01]', 2],
      ['{"a" 1}', 5],
    ])('%j → position %d', (text, position) => {
      const result = parseJson(text);
      expect(result).toMatchObject({ ok: false, error: { status: 400, code: 'invalid_json' } });
      if (!result.ok) expect(result.error.reason).toMatch(new RegExp(`at position ${position}:`));
    });
  });

  describe('agrees with JSON.parse (property-based)', () => {
    const agrees = (text: string): void => {
      let expected: { ok: true; value: unknown } | { ok: false };
      try {
        expected = { ok: true, value: JSON.parse(text) };
      } catch {
        expected = { ok: false };
      }
      // parseJson tries JSON.parse first when the text cannot nest too deep: the scanner, which
      // explains failures and guards deep texts, must still agree with it on its own.
      expect(checkJsonSyntax(text, 1000) === null).toBe(expected.ok);
      const actual = parseJson(text, { maxDepth: 1000, maxBytes: 1 << 20 });
      if (!actual.ok && actual.error.code === 'forbidden_key') return;
      expect(actual.ok).toBe(expected.ok);
      if (actual.ok && expected.ok) expect(actual.value).toEqual(expected.value);
    };
    it('on generated JSON text', () => fc.assert(fc.property(fc.json(), agrees), { numRuns: 2000 }));
    it('on random strings', () => fc.assert(fc.property(fc.string({ unit: 'binary-ascii' }), agrees), { numRuns: 2000 }));
    it('on JSON text with one character changed, dropped or inserted', () => {
      const mutated = fc
        .tuple(fc.json(), fc.nat(), fc.constantFrom(...'{}[],:"\\ 0-1e.tfn'.split('')), fc.constantFrom('replace', 'drop', 'insert'))
        .map(([text, at, c, how]) => {
          const i = text.length === 0 ? 0 : at % text.length;
          if (how === 'drop') return text.slice(0, i) + text.slice(i + 1);
          return text.slice(0, i) + c + text.slice(how === 'replace' ? i + 1 : i);
        });
      fc.assert(fc.property(mutated, agrees), { numRuns: 3000 });
    });
  });
});
