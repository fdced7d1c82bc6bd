import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** What the cookie holds: 256 random bits, base64url. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

/** The form a session id is stored in: its SHA-256, hex. Undefined for what no session id can be. */
export function sessionIdHash(id: string | undefined): string | undefined {
  return id !== undefined && SESSION_ID.test(id) ? createHash('sha256').update(id, 'utf8').digest('hex') : undefined;
}

/** Whether `typed` is `expected`, in constant time; digests have one length, so no length is told. */
export function sameSecret(typed: string, expected: Buffer | undefined): boolean {
  return expected !== undefined && expected.length > 0 && timingSafeEqual(digest(Buffer.from(typed, 'utf8')), digest(expected));
}

function digest(bytes: Buffer): Buffer {
  return createHash('sha256').update(bytes).digest();
}

/** Names a session in the audit log without opening it: the first 8 hex digits of its stored hash. */
export function sessionReference(id: string): string {
  return `session ${sessionIdHash(id)?.slice(0, 8) ?? '?'}`;
}
