import { Inject, Injectable, Logger } from '@nestjs/common';
import { ThrottlerStorageService, normalizeIp } from '@nestjs/throttler';
import { APP_CONFIG, AppConfig } from '../../../config/app.config';

const MINUTE_MS = 60_000;
const THROTTLER_NAME = 'ipn-refusals';

/**
 * Counts the requests refused to each address (IPv6 by /64, so a forger cannot rotate within one
 * network); past IPN_REFUSALS_PER_MINUTE in a minute, the address is blocked for a minute and its
 * requests get 429 before anything is read, logged or recorded. Only refusals count, so authentic
 * notifications never do, and addresses in IPN_ALLOWED_IPS (2Checkout's) are never blocked.
 */
@Injectable()
export class RefusalThrottle {
  private readonly logger = new Logger('IpnRefusalThrottle');

  constructor(
    private readonly storage: ThrottlerStorageService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Seconds until `address` is heard again; 0 when it is not blocked. */
  blockedFor(address: string | undefined): number {
    const record = this.storage.storage.get(keyOf(address));
    const left = record?.isBlocked ? record.blockExpiresAt - Date.now() : 0;
    return left > 0 ? Math.ceil(left / 1000) : 0;
  }

  async countRefusal(address: string | undefined): Promise<void> {
    if (this.config.ipn.allowedSenders?.includes(address)) return;
    const limit = this.config.ipn.refusalsPerMinute;
    // The storage blocks once its count exceeds the limit it is given: the limit-th refusal blocks.
    const { isBlocked, totalHits } = await this.storage.increment(keyOf(address), MINUTE_MS, limit - 1, MINUTE_MS, THROTTLER_NAME);
    if (isBlocked && totalHits === limit) {
      this.logger.warn(
        `${address ?? 'unknown'} was refused ${totalHits} times within a minute: its requests get 429 for a minute, neither logged nor recorded`,
      );
    }
  }
}

function keyOf(address: string | undefined): string {
  return normalizeIp(address ?? 'unknown');
}
