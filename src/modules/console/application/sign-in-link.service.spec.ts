import { loadConfig } from '../../../config/app.config';
import { SIGN_IN_LINK_TTL_MS, SignInLinkService, isLoopback } from './sign-in-link.service';

const withoutToken = () => new SignInLinkService(loadConfig({ IPN_SECRET_KEY: 'k' }));

describe('the one-time sign-in link', () => {
  it('opens once, from this machine, before it expires', () => {
    const link = withoutToken();
    const code = link.issue(1000)!;
    expect(link.redeem(code, '10.0.0.8', 1001)).toBe(false);
    expect(link.redeem('x' + code.slice(1), '127.0.0.1', 1001)).toBe(false);
    expect(link.redeem(code, '127.0.0.1', 1000 + SIGN_IN_LINK_TTL_MS)).toBe(false);
    expect(link.redeem(code, '127.0.0.1', 999 + SIGN_IN_LINK_TTL_MS)).toBe(true);
    expect(link.redeem(code, '127.0.0.1', 1002)).toBe(false);
  });

  it('is never issued when ADMIN_TOKEN is set', () => {
    const link = new SignInLinkService(loadConfig({ IPN_SECRET_KEY: 'k', ADMIN_TOKEN: 'admin-token-0123456789' }));
    expect(link.issue()).toBeUndefined();
    expect(link.wasOffered).toBe(false);
  });

  it('knows loopback addresses, IPv4-mapped ones included, and nothing else', () => {
    for (const address of ['127.0.0.1', '127.9.8.7', '::1', '::ffff:127.0.0.1', '0:0:0:0:0:0:0:1']) expect(isLoopback(address)).toBe(true);
    for (const address of ['10.0.0.1', '::ffff:10.0.0.1', '192.0.2.2', 'fe80::1', '::', 'localhost', '', undefined]) {
      expect(isLoopback(address)).toBe(false);
    }
  });
});
