import { FieldReader, usableEpochMs, usableText } from '../../lib/events/fields';

const reasonOf = (r: FieldReader): string => {
  const result = r.result(null, 'bad');
  if (result.ok) throw new Error('expected a problem');
  return result.error.reason;
};

describe('FieldReader', () => {
  it('reads good fields and answers ok', () => {
    const r = new FieldReader();
    const o = r.top({ name: 'a', flag: true, kind: 'x', nested: { id: 'n1' } }, 'event');
    expect(r.text(o, 'name', 'event', { max: 3, pattern: /^a$/, what: 'a' })).toBe('a');
    expect(r.flag(o, 'flag', 'event')).toBe(true);
    expect(r.oneOf(o, 'kind', 'event', ['y', 'x'])).toBe('x');
    expect(r.text(r.object(o, 'nested', 'event', true), 'id', 'event.nested')).toBe('n1');
    expect(r.text(o, 'absent', 'event')).toBeNull();
    expect(r.result('value', 'bad')).toEqual({ ok: true, value: 'value' });
  });

  it('keeps the first problem, naming its path, and reads the bad field as null', () => {
    const r = new FieldReader();
    const o = r.top({ a: 42, b: 'x'.repeat(9) }, 'message');
    expect(r.text(o, 'a', 'message')).toBeNull();
    expect(r.text(o, 'b', 'message', { max: 8 })).toBeNull();
    expect(r.result(null, 'invalid_alarm')).toEqual({ ok: false, error: { status: 400, code: 'invalid_alarm', reason: 'message.a: must be a string' } });
  });

  it.each([
    [{ s: 'x\ny' }, { printable: true }, 's: must not contain control characters'],
    [{ s: 'abc' }, { pattern: /^\d+$/, what: 'digits' }, 's: must be digits'],
    [{ s: 'abcd' }, { max: 3 }, 's: must be at most 3 characters'],
    [{}, { required: true }, 's: is required and must be a string'],
    [{ s: null }, { required: true }, 's: is required and must be a string'],
  ])('text %j under %j → %s', (o, rule, reason) => {
    const r = new FieldReader();
    r.text(o, 's', '', rule);
    expect(reasonOf(r)).toBe(reason);
  });

  it('does not ask for required fields of an optional object that is absent', () => {
    const r = new FieldReader();
    const vars = r.object({}, 'template_variable', 'message');
    expect(vars).toBeNull();
    expect(r.text(vars, 'ResourceId', 'message.template_variable', { required: true })).toBeNull();
    expect(r.oneOf(vars, 'status', 'message.template_variable', ['a', 'b'])).toBe('a');
    expect(r.result(1, 'bad')).toEqual({ ok: true, value: 1 });
  });

  it('names the value itself, or (root) at the top', () => {
    const top = new FieldReader();
    top.top([1], '');
    expect(reasonOf(top)).toBe('(root): must be an object');
    const value = new FieldReader();
    value.textValue(5, 'user_event');
    expect(reasonOf(value)).toBe('user_event: must be a string');
  });

  it('refuses a value outside oneOf and a non-boolean flag', () => {
    const r = new FieldReader();
    expect(r.oneOf({ s: 'firing' }, 's', 'm', ['alarm', 'ok'])).toBe('alarm');
    expect(reasonOf(r)).toBe('m.s: must be one of "alarm", "ok"');
    const f = new FieldReader();
    f.flag({ b: 'yes' }, 'b', '');
    expect(reasonOf(f)).toBe('b: must be true or false');
  });
});

describe('usable values (audit only: unusable is null, never a rejection)', () => {
  it.each([
    [1732700123456, 1732700123456],
    [0, 0],
    [-1, null],
    [1.5, null],
    ['1732700123456', null],
    [Number.MAX_SAFE_INTEGER + 2, null],
  ])('epoch ms %j → %j', (value, expected) => {
    expect(usableEpochMs(value)).toBe(expected);
  });
  it('text within its limit and pattern', () => {
    expect(usableText('cn-north-4', 64, /^[a-z]{2}(-[a-z]+)+-\d+$/)).toBe('cn-north-4');
    expect(usableText('CN', 64, /^[a-z]+$/)).toBeNull();
    expect(usableText('abc', 2)).toBeNull();
    expect(usableText(7, 2)).toBeNull();
  });
});
