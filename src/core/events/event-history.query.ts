import { Injectable } from '@nestjs/common';
import { ConsumerRegistry } from './consumer-registry';
import { ChainLink, OutboxRepository, ReceivedEventRow } from './persistence/outbox.repository';

export interface ChainLinkView extends ChainLink {
  /** The consumers that take events of this name, in this process. */
  consumers: string[];
}

export interface ReceivedEventView extends Omit<ReceivedEventRow, 'chain'> {
  consumers: string[];
  /** The events its delivery raised; empty until delivered. */
  chain: ChainLinkView[];
}

/** What the events of stored notifications did (an order's journey), and the queue's depth. */
@Injectable()
export class EventHistoryQuery {
  constructor(
    private readonly outbox: OutboxRepository,
    private readonly registry: ConsumerRegistry,
  ) {}

  async forNotifications(notificationIds: readonly string[]): Promise<ReceivedEventView[]> {
    if (notificationIds.length === 0) return [];
    const rows = await this.outbox.receivedEventsOf(notificationIds);
    return rows.map(({ chain, ...row }) => ({
      ...row,
      consumers: this.consumersOf(row.name),
      chain: (chain ?? []).map((link) => ({ ...link, consumers: this.consumersOf(link.name) })),
    }));
  }

  /** Pending events, the age of the oldest, and dead letters: the queue now. */
  backlog(): Promise<{ pending: number; oldestPendingSeconds: number; dead: number }> {
    return this.outbox.backlog();
  }

  private consumersOf(name: string): string[] {
    return this.registry
      .all()
      .filter((consumer) => consumer.events.includes(name))
      .map((consumer) => consumer.name);
  }
}
