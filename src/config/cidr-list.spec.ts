import { CidrList } from './cidr-list';
import { parseTrustProxy } from './trust-proxy';

describe('CidrList', () => {
  const list = CidrList.parse('IPN_ALLOWED_IPS', '91.220.121.0/24, 2001:db8::/32,203.0.113.7');

  it.each([
    ['91.220.121.0', true],
    ['91.220.121.255', true],
    ['91.220.122.1', false],
    ['::ffff:91.220.121.9', true],
    ['203.0.113.7', true],
    ['203.0.113.8', false],
    ['2001:db8::1', true],
    ['2001:DB8:ffff::1', true],
    ['2001:db9::1', false],
    ['fe80::1%eth0', false],
    ['not an address', false],
    [undefined, false],
  ])('%s in the list: %s', (address, expected) => {
    expect(list.includes(address)).toBe(expected);
  });

  it('matches everything with /0 and an exact address without a prefix', () => {
    expect(CidrList.parse('X', '0.0.0.0/0').includes('198.51.100.1')).toBe(true);
    expect(CidrList.parse('X', '::/0').includes('2001:db8::5')).toBe(true);
    expect(CidrList.parse('X', '::1').includes('::1')).toBe(true);
  });

  it.each(['91.220.121.0/33', '2001:db8::/129', '300.1.1.1/8', 'example.com', '1.2.3.4/', '1.2.3.4/24/8', '1.2.3.4/-1', ',,'])(
    'refuses %j, naming the variable',
    (text) => {
      expect(() => CidrList.parse('IPN_ALLOWED_IPS', text)).toThrow(/^IPN_ALLOWED_IPS: /);
    },
  );
});

describe('parseTrustProxy', () => {
  it.each([
    [undefined, false],
    ['off', false],
    ['0', false],
    ['1', 1],
    ['loopback', ['loopback']],
    ['loopback, 10.0.0.0/8,fd00::/8', ['loopback', '10.0.0.0/8', 'fd00::/8']],
  ])('%j -> %j', (text, expected) => {
    expect(parseTrustProxy(text)).toEqual(expected);
  });

  it.each([
    ['true', /any client/],
    ['everyone', /is not a hop count/],
    ['99', /at most 16/],
    ['10.0.0.0/40', /is not/],
  ])('refuses %j, naming the variable', (text, problem) => {
    expect(() => parseTrustProxy(text)).toThrow(/^TRUST_PROXY: /);
    expect(() => parseTrustProxy(text)).toThrow(problem);
  });
});
