import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../../../config/app.config';

/** A session lasts a working day; then the operator signs in again. */
export const SESSION_TTL_MS = 8 * 3_600_000;
/** Sessions kept at once: logins beyond it push out the oldest, so a login loop cannot fill memory. */
const MAX_SESSIONS = 1000;

/**
 * Console sessions: a random id in an HttpOnly cookie, mapped here to its expiry. The token itself is
 * never stored in the browser, and signing out ends the session on the server. In memory, per process:
 * behind a load balancer, send an operator to one instance (or sign in on each).
 */
@Injectable()
export class ConsoleSessions {
  private readonly expiries = new Map<string, number>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Without ADMIN_TOKEN nobody can sign in. */
  get enabled(): boolean {
    return this.config.adminToken !== undefined;
  }

  /** A new session id if `token` is ADMIN_TOKEN; undefined otherwise. */
  open(token: string, now = Date.now()): string | undefined {
    const expected = this.config.adminToken?.reveal();
    // Digests have one length whatever was typed: the comparison is constant time and tells no length.
    if (!expected || !timingSafeEqual(digest(Buffer.from(token, 'utf8')), digest(expected))) return undefined;
    this.makeRoom(now);
    const id = randomBytes(32).toString('base64url');
    this.expiries.set(id, now + SESSION_TTL_MS);
    return id;
  }

  isActive(id: string | undefined, now = Date.now()): boolean {
    const expiry = id === undefined ? undefined : this.expiries.get(id);
    if (expiry === undefined) return false;
    if (expiry > now) return true;
    this.expiries.delete(id!);
    return false;
  }

  close(id: string | undefined): void {
    if (id !== undefined) this.expiries.delete(id);
  }

  private makeRoom(now: number): void {
    if (this.expiries.size < MAX_SESSIONS) return;
    for (const [id, expiry] of this.expiries) if (expiry <= now) this.expiries.delete(id);
    // Oldest first: a Map iterates in insertion order.
    for (const id of this.expiries.keys()) {
      if (this.expiries.size < MAX_SESSIONS) break;
      this.expiries.delete(id);
    }
  }
}

function digest(bytes: Buffer): Buffer {
  return createHash('sha256').update(bytes).digest();
}
