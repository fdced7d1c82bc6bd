import { createHash } from 'node:crypto';
import type { Request } from 'express';

/** The bearer token a request presents ('' when none). */
export function presentedToken(request: Request): string {
  return /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
}

/**
 * Names a token without revealing it: the first 8 hex digits of its SHA-256. Enough to tell tokens
 * apart in the audit log (and across a rotation), useless for finding the token.
 */
export function tokenFingerprint(token: string | Buffer): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 8);
}
