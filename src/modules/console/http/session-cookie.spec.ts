import type { Request } from 'express';
import { expiredSessionCookie, sessionCookie, sessionIdOf } from './session-cookie';

const request = (headers: Record<string, string>, secure = false) => ({ headers, secure }) as unknown as Request;

describe('console session cookie', () => {
  it('is HttpOnly, SameSite=Strict, scoped to /console, and Secure over https only', () => {
    expect(sessionCookie(request({}), 'abc', 8 * 3_600_000)).toBe(
      'ipn_console_session=abc; Path=/console; HttpOnly; SameSite=Strict; Max-Age=28800',
    );
    expect(sessionCookie(request({}, true), 'abc', 1000)).toMatch(/; Secure$/);
    expect(expiredSessionCookie(request({}))).toContain('ipn_console_session=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0');
  });

  it('is read among other cookies', () => {
    expect(sessionIdOf(request({ cookie: 'a=1; ipn_console_session=x-y_z; b=2' }))).toBe('x-y_z');
    expect(sessionIdOf(request({ cookie: 'a=1' }))).toBeUndefined();
    expect(sessionIdOf(request({}))).toBeUndefined();
  });
});
