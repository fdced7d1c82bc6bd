import { BlockList, isIP } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../config/app.config';
import { newSessionId, sameSecret } from './session-id';

/** How long a printed link can be used: long enough to switch to a browser, short enough to be no standing key. */
export const SIGN_IN_LINK_TTL_MS = 5 * 60_000;

/**
 * The console's way in on a first run, when no ADMIN_TOKEN is set: a one-time code, printed on the
 * terminal only (never logged), that opens a console session once, within SIGN_IN_LINK_TTL_MS, and only
 * for a request whose socket comes from this machine (a proxy's X-Forwarded-For never counts). The code
 * lives in this process's memory: a restart prints a new one, and sessions opened with it end with the
 * process (ConsoleSessions). With ADMIN_TOKEN set there is no link: sign in with the token.
 */
@Injectable()
export class SignInLinkService {
  private code: string | undefined;
  private expiresAt = 0;
  private offered = false;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** A new code (the previous one stops working), or undefined when ADMIN_TOKEN is set. */
  issue(now = Date.now()): string | undefined {
    if (this.config.adminToken !== undefined) return undefined;
    this.code = newSessionId();
    this.expiresAt = now + SIGN_IN_LINK_TTL_MS;
    this.offered = true;
    return this.code;
  }

  /** Whether a link was ever printed by this process: only then can a console session exist without ADMIN_TOKEN. */
  get wasOffered(): boolean {
    return this.offered;
  }

  /** True once for the code printed, before it expires, from a loopback socket address; it is then spent. */
  redeem(code: string, socketAddress: string | undefined, now = Date.now()): boolean {
    const expected = this.code;
    if (expected === undefined || now >= this.expiresAt || !isLoopback(socketAddress)) return false;
    if (!sameSecret(code, Buffer.from(expected, 'utf8'))) return false;
    this.code = undefined;
    return true;
  }
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** 127.0.0.0/8 and ::1, IPv4 also as an IPv6-mapped address (how a dual-stack socket reports it). */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.toLowerCase().startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(v4) === 4) return LOOPBACK.check(v4, 'ipv4');
  return isIP(address) === 6 && LOOPBACK.check(address, 'ipv6');
}
