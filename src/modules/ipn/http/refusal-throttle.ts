import { Inject, Injectable } from '@nestjs/common';
import { normalizeIp } from '@nestjs/throttler';
import { APP_CONFIG, AppConfig } from '../../../config/app.config';

const MINUTE_MS = 60_000;
/** Senders tracked at once (~100 bytes each); past it, a new sender is not tracked until some expire. */
const MAX_SENDERS = 100_000;

export interface RefusalCount {
  /** The sender as it is counted: an IPv4 address, or an IPv6 /64 (a forger cannot rotate within one network). */
  readonly sender: string;
  /** Seconds until the sender's budget is whole again; 0 while within IPN_REFUSALS_PER_MINUTE. */
  readonly retryAfter: number;
  /** This refusal is the first past the budget. */
  readonly crossed: boolean;
}

/**
 * How many requests of each sender were refused within a minute of its first refusal. Consulted only
 * once a request has been refused, so it never touches an authentic notification: it bounds what a
 * sender's refusals cost (rows, log lines), past IPN_REFUSALS_PER_MINUTE answered 429 and only counted.
 * Senders in IPN_ALLOWED_IPS (2Checkout's) are never over budget. Bounded memory: at most MAX_SENDERS,
 * past which a new sender is left uncounted (its refusals are still bounded by RecordRejectionService's
 * IPN_REFUSAL_RECORDS_PER_MINUTE, which holds whatever the number of senders).
 */
@Injectable()
export class RefusalThrottle {
  /** In order of their window's start (a window restarted is moved to the end): expired ones first. */
  private readonly senders = new Map<string, { since: number; refusals: number }>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  refused(address: string | undefined, now = Date.now()): RefusalCount {
    const sender = senderOf(address);
    if (this.config.ipn.allowedSenders?.includes(address)) return { sender, retryAfter: 0, crossed: false };
    let window = this.senders.get(sender);
    if (window && now - window.since >= MINUTE_MS) {
      this.senders.delete(sender);
      window = undefined;
    }
    if (!window) {
      if (this.senders.size >= MAX_SENDERS) this.forgetExpired(now);
      if (this.senders.size >= MAX_SENDERS) return { sender, retryAfter: 0, crossed: false };
      window = { since: now, refusals: 0 };
      this.senders.set(sender, window);
    }
    window.refusals += 1;
    const limit = this.config.ipn.refusalsPerMinute;
    if (window.refusals <= limit) return { sender, retryAfter: 0, crossed: false };
    return {
      sender,
      retryAfter: Math.max(1, Math.ceil((window.since + MINUTE_MS - now) / 1000)),
      crossed: window.refusals === limit + 1,
    };
  }

  /** Senders tracked now (for tests and the bound). */
  get tracked(): number {
    return this.senders.size;
  }

  private forgetExpired(now: number): void {
    for (const [sender, window] of this.senders) {
      if (now - window.since < MINUTE_MS) return;
      this.senders.delete(sender);
    }
  }
}

/** IPv4 (IPv4-mapped IPv6 included) by address, IPv6 by /64. */
export function senderOf(address: string | undefined): string {
  return normalizeIp(address ?? 'unknown');
}
