import type { Request } from 'express';

const NAME = 'ipn_console_session';

/** The session id the browser sent, if any. */
export function sessionIdOf(request: Request): string | undefined {
  for (const pair of (request.headers.cookie ?? '').split(';')) {
    const [name, ...value] = pair.trim().split('=');
    if (name === NAME) return value.join('=');
  }
  return undefined;
}

/**
 * HttpOnly: no script reads it. SameSite=Strict: no other site's page sends it. Secure when the console
 * is reached over https (Express's `req.secure`, which honours TRUST_PROXY), so it never travels in clear.
 */
export function sessionCookie(request: Request, id: string, maxAgeMs: number): string {
  return `${NAME}=${id}; Path=/console; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(maxAgeMs / 1000)}${request.secure ? '; Secure' : ''}`;
}

export function expiredSessionCookie(request: Request): string {
  return sessionCookie(request, '', 0);
}
