import type { DataSource } from 'typeorm';
import { isDatabaseTimeout, isDatabaseUnavailable } from './database-unavailable';

/** A probe slower than this means the database is slow for everyone, not for one delivery. */
const PROBE_DEADLINE_MS = 2000;
/** Different deliveries timing out one after another, with nothing delivered between them. */
const SLOW_FOR_EVERYONE = 3;

/**
 * Tells a delivery's own failure from the database's. A worker whose delivery failed with an
 * outage-like error (a time limit, a dropped session) asks `isDown`: if the database does not answer a
 * trivial query quickly, or several different deliveries in a row timed out with nothing delivered
 * between them, it is the database (stop, retry later, count no attempt: a database slow for everyone
 * must not dead-letter everything); otherwise the failure is the delivery's (count it, back off,
 * dead-letter after the last attempt). Any other error is always the delivery's.
 */
export class DatabaseProbe {
  private readonly timedOut = new Set<string>();

  constructor(private readonly dataSource: DataSource) {}

  /** Something was delivered: the database works. */
  delivered(): void {
    this.timedOut.clear();
  }

  /** Whether `error`, raised while delivering `item` (its id), means the database is down or slow for everyone. */
  async isDown(error: unknown, item?: string): Promise<boolean> {
    if (!isDatabaseUnavailable(error)) return false;
    if (!(await this.answers())) return true;
    if (!isDatabaseTimeout(error) || item === undefined) return false;
    this.timedOut.add(item);
    return this.timedOut.size >= SLOW_FOR_EVERYONE;
  }

  private async answers(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), PROBE_DEADLINE_MS)));
    try {
      return await Promise.race([this.dataSource.query('SELECT 1').then(() => true as const), deadline]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
