import { contains, ipBytes, parseNetwork } from '../../lib/sessions/cidr';

const net = (text: string) => {
  const parsed = parseNetwork(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.network;
};
const inNet = (network: string, ip: string) => contains(net(network), ipBytes(ip)!);

describe('networks', () => {
  test.each([
    ['10.0.0.0/8', '10.255.1.2', true],
    ['10.0.0.0/8', '11.0.0.1', false],
    ['192.168.3.7', '192.168.3.7', true],
    ['192.168.3.7', '192.168.3.8', false],
    ['172.16.0.0/12', '172.31.255.255', true],
    ['172.16.0.0/12', '172.32.0.0', false],
    ['10.0.5.0/25', '10.0.5.127', true],
    ['10.0.5.0/25', '10.0.5.128', false],
    ['0.0.0.0/0', '8.8.8.8', true],
    ['2001:db8::/32', '2001:db8:ffff::1', true],
    ['2001:db8::/32', '2001:db9::1', false],
    ['::1', '::1', true],
    ['fe80::/10', 'fe80::1%eth0', true],
    // An IPv4 client shown as IPv4-mapped IPv6 is that IPv4 client, and nothing IPv6.
    ['10.0.0.0/8', '::ffff:10.1.2.3', true],
    ['::/0', '10.1.2.3', false],
    ['10.0.0.0/8', '2001:db8::1', false],
  ])('%s contains %s: %s', (network, ip, expected) => {
    expect(inNet(network, ip)).toBe(expected);
  });

  test.each([
    ['10.0.0.1/8', /host bits set; did you mean "10.0.0.0\/8"/],
    ['2001:db8::1/32', /did you mean "2001:db8::\/32"/],
    ['10.0.0.0/33', /prefix length must be a number from 0 to 32/],
    ['2001:db8::/129', /from 0 to 128/],
    ['10.0.0.0/', /prefix length/],
    ['10.0.0/8', /not an IPv4 or IPv6 address or CIDR/],
    ['db.internal', /not an IPv4 or IPv6/],
    ['', /not an IPv4 or IPv6/],
  ])('%j is refused', (text, message) => {
    const parsed = parseNetwork(text);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toMatch(message);
  });

  test('ipBytes: IPv4, IPv6 with an embedded IPv4, garbage', () => {
    expect(Array.from(ipBytes('1.2.3.4')!)).toEqual([1, 2, 3, 4]);
    expect(Array.from(ipBytes('64:ff9b::1.2.3.4')!).slice(12)).toEqual([1, 2, 3, 4]);
    expect(ipBytes('1.2.3')).toBeNull();
    expect(ipBytes('x')).toBeNull();
  });
});
