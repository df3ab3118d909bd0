/** The shared identifier shapes (lib/domain/ids.ts) that events, dcs and policy build on. */
import { HEX32, REGION, safeToken, UUID, UUID_SOURCE } from '../../lib/domain/ids';

describe('REGION', () => {
  it.each(['cn-north-4', 'ap-southeast-1', 'la-north-2', 'eu-west-101', 'cn-east-3', 'sa-brazil-1', 'me-east-1', 'af-south-1', 'cn-southwest-2', 'ae-ad-1', 'my-kualalumpur-1', 'cn-north-11'])(
    'accepts the Huawei Cloud region %s',
    (region) => expect(REGION.test(region)).toBe(true),
  );
  it.each(['cn-north-4/x', 'cn-north-4.evil.com', 'CN-north-4', 'cn-North-4', 'cn-north 4', ' cn-north-4', 'cn-north-4\n', '', 'cn', 'cn-north', 'north-4', 'c-north-4', 'cn--4'])(
    'refuses %j',
    (region) => expect(REGION.test(region)).toBe(false),
  );
});

describe('UUID', () => {
  const id = '5e2b1c9a-7f3d-4d2e-9b8a-1c2d3e4f5a6b';
  it('accepts any case; UUID_SOURCE alone is lower case only', () => {
    expect([UUID.test(id), UUID.test(id.toUpperCase())]).toEqual([true, true]);
    const lower = new RegExp(`^${UUID_SOURCE}$`);
    expect([lower.test(id), lower.test(id.toUpperCase())]).toEqual([true, false]);
  });
  it.each([`${id}x`, `../${id}`, id.replace(/-/g, ''), id.slice(1), `${id}\n`])('refuses %j', (value) => expect(UUID.test(value)).toBe(false));
});

describe('HEX32', () => {
  it('is 32 hex digits', () => {
    expect(HEX32.test('0123456789abcdefABCDEF0123456789')).toBe(true);
    expect(HEX32.test('0123456789abcdef0123456789abcde')).toBe(false);
    expect(HEX32.test('0123456789abcdef0123456789abcdeg')).toBe(false);
  });
});

describe('safeToken', () => {
  const eightTo64 = safeToken(8, 64);
  it('bounds the length', () => {
    expect(eightTo64.test('a'.repeat(7))).toBe(false);
    expect(eightTo64.test('a'.repeat(8))).toBe(true);
    expect(eightTo64.test('a'.repeat(64))).toBe(true);
    expect(eightTo64.test('a'.repeat(65))).toBe(false);
    expect(safeToken(1, 64).test('a')).toBe(true);
  });
  it.each(['abcd-ef_01', 'eb4debb56ba8d632dae03afc167a8f9b', '5e2b1c9a-7f3d-4d2e-9b8a-1c2d3e4f5a6b'])('accepts %s', (value) => expect(eightTo64.test(value)).toBe(true));
  it.each(['-abcdefgh', '_abcdefgh', 'abcd/efgh', 'abcd.efgh', 'abcd%2fgh', 'abcd efgh', 'abcd?efgh', 'abcd#efgh', 'abcdefgh\n'])('refuses %j', (value) => expect(eightTo64.test(value)).toBe(false));
});
