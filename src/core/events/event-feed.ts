import { Injectable } from '@nestjs/common';
import type { DomainEvent } from './domain-event';
import { EventFilter } from './event-filter';
import { EventLogRepository } from './persistence/event-log.repository';

/** A page of the feed: events oldest first, and the cursor to ask for the next page with. */
export interface FeedPage {
  events: DomainEvent[];
  next: string;
}

/** Rows a filtered page looks at, at most: a page of a rare event type costs a bounded read. */
const FILTERED_SCAN = 10_000;

export class FeedCursorInvalid extends Error {}
/** The cursor points before what retention has deleted: events may be missing after it. */
export class FeedCursorExpired extends Error {}

/**
 * The event log as a feed any reader can follow: `page(after)` returns the events after the cursor,
 * oldest first, with the cursor for the next page. Because positions follow commit order (see
 * EventLogRepository.append), a reader that follows `next` sees every event once, with no gaps: not
 * even for transactions that committed in another order than they started. An empty page returns the
 * cursor it was given; with a type filter, `next` moves past the rows looked at. Cursors are opaque.
 */
@Injectable()
export class EventFeed {
  constructor(private readonly log: EventLogRepository) {}

  async page(after: string | undefined, limit: number, types: readonly string[] | undefined): Promise<FeedPage> {
    const purgedThrough = BigInt(await this.log.purgedThrough());
    const from = after === undefined ? purgedThrough : decode(after);
    if (from < purgedThrough) {
      throw new FeedCursorExpired(`Events after this cursor are no longer retained (EVENT_RETENTION): start again without "after".`);
    }
    const filter = types ? new EventFilter(types) : EventFilter.ALL;
    const window = await this.log.window(from.toString(), filter, limit, types ? FILTERED_SCAN : limit);
    return {
      events: window.events.map(({ event }) => event),
      next: window.scannedThrough === null ? (after ?? encode(from)) : encode(BigInt(window.scannedThrough)),
    };
  }
}

function encode(position: bigint): string {
  return Buffer.from(`v1:${position}`, 'utf8').toString('base64url');
}

function decode(cursor: string): bigint {
  const match = /^v1:(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new FeedCursorInvalid('"after" is not a cursor this feed gave out: pass back a "next" unchanged.');
  return BigInt(match[1]);
}
