import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../config/app.config';
import { tokenFingerprint } from '../../admin';
import { ConsoleSessionRepository } from '../persistence/console-session.repository';
import { newSessionId, sameSecret, sessionIdHash } from './session-id';
import { SignInLinkService } from './sign-in-link.service';

/** A session lasts a working day; then the operator signs in again. */
export const SESSION_TTL_MS = 8 * 3_600_000;
/** Sessions kept at once: sign-ins beyond it push out the oldest, so a sign-in loop cannot fill the table. */
export const MAX_SESSIONS = 1000;
/** `last_seen_at` is written at most this often per session: a page's API calls cost one read each. */
const TOUCH_EVERY_MS = 60_000;

/**
 * Console sessions: a random id in an HttpOnly cookie, and in the database its SHA-256 with its
 * expiry, so that every instance behind a load balancer honours it and a restart keeps it. The token is
 * never stored in the browser; Log out deletes the session; a new ADMIN_TOKEN ends the old one's.
 * Without ADMIN_TOKEN, sessions opened with the one-time sign-in link carry the fingerprint of a secret
 * of this process alone: they end when it stops, and no other instance honours them.
 */
@Injectable()
export class ConsoleSessionsService {
  /** Of the ADMIN_TOKEN the sessions were opened with, or of this process's secret when there is none. */
  readonly fingerprint: string;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sessions: ConsoleSessionRepository,
    private readonly link: SignInLinkService,
  ) {
    this.fingerprint = tokenFingerprint(config.adminToken?.reveal() ?? `sign-in link ${newSessionId()}`);
  }

  /** With ADMIN_TOKEN, or once this process printed a sign-in link; otherwise nobody can sign in. */
  get enabled(): boolean {
    return this.config.adminToken !== undefined || this.link.wasOffered;
  }

  get isAdminTokenSet(): boolean {
    return this.config.adminToken !== undefined;
  }

  isAdminToken(token: string): boolean {
    return sameSecret(token, this.config.adminToken?.reveal());
  }

  /** Opens session `id` (newSessionId; the caller has checked the token); returns it, for the cookie. */
  async open(id = newSessionId(), now = new Date()): Promise<string> {
    await this.sessions.insert(sessionIdHash(id)!, this.fingerprint, now, new Date(now.getTime() + SESSION_TTL_MS));
    await this.sessions.keepNewest(MAX_SESSIONS);
    return id;
  }

  async isActive(id: string | undefined, now = new Date()): Promise<boolean> {
    const hash = sessionIdHash(id);
    if (hash === undefined || !this.enabled) return false;
    const lastSeen = await this.sessions.lastSeen(hash, this.fingerprint, now);
    if (lastSeen === undefined) return false;
    if (now.getTime() - lastSeen.getTime() >= TOUCH_EVERY_MS) await this.sessions.touch(hash, now);
    return true;
  }

  async close(id: string | undefined): Promise<void> {
    const hash = sessionIdHash(id);
    if (hash !== undefined) await this.sessions.delete(hash);
  }
}
