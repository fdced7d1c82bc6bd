import { Injectable } from '@nestjs/common';
import { OutboxRelay } from './outbox.relay';
import { DeadLetter, OutboxRepository } from './persistence/outbox.repository';

export type { DeadLetter } from './persistence/outbox.repository';

/** Dead-lettered deliveries: listed for operators, and put back in the queue by hand. */
@Injectable()
export class DeadLettersService {
  constructor(
    private readonly outbox: OutboxRepository,
    private readonly relay: OutboxRelay,
  ) {}

  list(): Promise<DeadLetter[]> {
    return this.outbox.deadLetters();
  }

  /** Gives a dead letter a fresh set of attempts, now. False when there is no such dead letter. */
  async retry(id: string): Promise<boolean> {
    const retried = await this.outbox.retry(id);
    if (retried) this.relay.wake();
    return retried;
  }
}
