import { Injectable } from '@nestjs/common';
import { ConsumerRegistry } from './consumer-registry';
import { EventLogRepository } from './persistence/event-log.repository';
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
    private readonly log: EventLogRepository,
    private readonly registry: ConsumerRegistry,
  ) {}

  /** Each received event of these notifications with the chain its delivery raised (read from the event log). */
  async forNotifications(notificationIds: readonly string[]): Promise<ReceivedEventView[]> {
    if (notificationIds.length === 0) return [];
    const [rows, logged] = await Promise.all([this.outbox.receivedEventsOf(notificationIds), this.log.ofNotifications(notificationIds)]);
    const chains = new Map<string, ChainLink[]>();
    for (const { chainId, event } of logged) {
      const { data: _data, ...link } = event;
      if (chainId) chains.set(chainId, [...(chains.get(chainId) ?? []), link]);
    }
    return rows.map(({ chain, ...row }) => ({
      ...row,
      consumers: this.consumersOf(row.name),
      // Deliveries settled before the event log existed kept their chain on the received event.
      chain: (chains.get(row.id) ?? chain ?? []).map((link) => ({ ...link, consumers: this.consumersOf(link.name) })),
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
