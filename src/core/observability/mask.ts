/**
 * Personal data made fit for a log line: enough to tell two customers apart while investigating,
 * not enough to identify one.
 */

/** `john.doe@example.com` -> `j***@example.com`; anything that is not an address -> `***`. */
export function maskEmail(email: unknown): string {
  if (typeof email !== 'string') return '***';
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email[0]}***${email.slice(at)}`;
}

/** `Zoë` -> `Z***`. */
export function maskName(name: unknown): string {
  return typeof name === 'string' && name.length > 0 ? `${[...name][0]}***` : '***';
}

/** Email addresses anywhere in a text (also URL-encoded, `%40`), masked. */
const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*(@|%40)([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})/g;

export function maskEmailsIn(text: string): string {
  return text.includes('@') || text.includes('%40') ? text.replace(EMAIL, '$1***$2$3') : text;
}

/** Query parameters that carry a secret (a one-time sign-in code, a token) in a logged URL. */
const SECRET_PARAMETER = /([?&](?:code|token)=)[^&#]*/gi;

/** `/console/login/link?code=abc` -> `/console/login/link?code=[redacted]`. */
export function maskSecretParameters(url: string): string {
  return url.includes('=') ? url.replace(SECRET_PARAMETER, '$1[redacted]') : url;
}
