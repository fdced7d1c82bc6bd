import { checkDestination, refusedAddress } from './destination';

describe('refusedAddress', () => {
  it.each([
    ['127.0.0.1', /loopback/],
    ['127.255.0.9', /loopback/],
    ['10.1.2.3', /private/],
    ['172.16.0.1', /private/],
    ['172.31.255.255', /private/],
    ['192.168.1.1', /private/],
    ['100.64.0.1', /carrier-grade NAT/],
    ['100.127.255.254', /carrier-grade NAT/],
    ['169.254.1.1', /link-local/],
    ['169.254.169.254', /metadata/],
    ['0.0.0.0', /unspecified/],
    ['224.0.0.1', /multicast/],
    ['239.255.255.250', /multicast/],
    ['255.255.255.255', /broadcast/],
    ['240.0.0.1', /reserved/],
    ['192.0.2.10', /documentation/],
    ['198.18.0.1', /benchmarking/],
    ['::1', /loopback/],
    ['::', /unspecified/],
    ['fc00::1', /unique local/],
    ['fd12:3456::1', /unique local/],
    ['fe80::1', /link-local/],
    ['fe80::1%eth0', /link-local/],
    ['ff02::1', /multicast/],
    ['fd00:ec2::254', /metadata/],
    ['2001:db8::1', /documentation/],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', /Teredo/],
    ['::ffff:127.0.0.1', /loopback.* \(IPv4-mapped/],
    ['::ffff:7f00:1', /loopback.* \(IPv4-mapped/],
    ['::ffff:a9fe:a9fe', /metadata.* \(IPv4-mapped/],
    ['::ffff:10.0.0.1', /private.* \(IPv4-mapped/],
    ['::127.0.0.1', /loopback.* \(IPv4-compatible/],
    ['64:ff9b::7f00:1', /loopback.* \(NAT64/],
    ['64:ff9b::192.168.0.1', /private.* \(NAT64/],
    ['64:ff9b:1::a00:1', /private.* \(NAT64 \(local use\)/],
    ['2002:7f00:1::', /loopback.* \(6to4/],
    ['2002:c0a8:101::1', /private.* \(6to4/],
    ['[::1]', /loopback/],
  ])('refuses %s', (address, reason) => {
    expect(refusedAddress(address)).toMatch(reason);
  });

  it.each([
    '93.184.215.14',
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
  ])('lets the public address %s through', (address) => {
    expect(refusedAddress(address)).toBeNull();
  });
});

describe('checkDestination', () => {
  it.each([
    ['http://127.0.0.1/hook', /loopback/],
    ['http://2130706433/', /loopback/],
    ['http://0x7f.1/', /loopback/],
    ['http://0x7f000001/', /loopback/],
    ['http://017700000001/', /loopback/],
    ['http://127.1/', /loopback/],
    ['http://0/', /unspecified/],
    ['http://[::]/', /unspecified/],
    ['http://[::1]:8080/', /loopback/],
    ['http://[::ffff:127.0.0.1]/', /loopback.* \(IPv4-mapped/],
    ['http://[::ffff:7f00:1]/', /loopback.* \(IPv4-mapped/],
    ['http://[64:ff9b::127.0.0.1]/', /loopback.* \(NAT64/],
    ['https://10.0.0.8/', /private/],
    ['https://100.100.100.200/', /carrier-grade NAT/],
    ['http://169.254.169.254/latest/meta-data/', /metadata/],
    ['http://[fd00:ec2::254]/', /metadata/],
    ['http://metadata.google.internal/computeMetadata/v1/', /metadata service/],
    ['http://METADATA.GOOGLE.INTERNAL./', /metadata service/],
    ['http://[fe80::1]/', /link-local/],
    ['http://[ff02::1]/', /multicast/],
    ['http://255.255.255.255/', /broadcast/],
    ['ftp://example.com/', /http:\/\/ or https:\/\//],
    ['file:///etc/passwd', /http:\/\/ or https:\/\//],
    ['gopher://example.com/', /http:\/\/ or https:\/\//],
    ['https://user:pass@example.com/', /user name or password/],
    ['not a url', /not a URL/],
  ])('refuses %s', (url, reason) => {
    const check = checkDestination(url, false);
    expect(check.ok).toBe(false);
    expect(check.ok === false && check.reason).toMatch(reason);
  });

  it('takes public addresses and names (names are judged again when a delivery connects)', () => {
    for (const url of [
      'https://example.com/hooks',
      'http://93.184.215.14:8080/x',
      'https://[2606:4700:4700::1111]/',
      'http://localhost:3000/',
    ]) {
      expect(checkDestination(url, false).ok).toBe(true);
    }
  });

  it('with WEBHOOK_ALLOW_PRIVATE takes private addresses, still only over http(s)', () => {
    expect(checkDestination('http://127.0.0.1:4000/hook', true).ok).toBe(true);
    expect(checkDestination('ftp://127.0.0.1/', true).ok).toBe(false);
  });
});
