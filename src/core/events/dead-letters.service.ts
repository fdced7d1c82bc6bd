import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { OutboxRelay } from './outbox.relay';

export interface DeadLetter {
  id: string;
  name: string;
  orderRef: string | null;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
}

/** Dead-lettered deliveries: listed for operators, and put back in the queue by hand. */
@Injectable()
export class DeadLettersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
  ) {}

  list(): Promise<DeadLetter[]> {
    return this.dataSource.query(
      `SELECT id, name, payload->>'orderRef' AS "orderRef", attempts, last_error AS "lastError", created_at AS "createdAt"
       FROM outbox_event WHERE status = 'dead' ORDER BY created_at LIMIT 500`,
    );
  }

  /** Gives a dead letter a fresh set of attempts, now. False when there is no such dead letter. */
  async retry(id: string): Promise<boolean> {
    const [, affected] = await this.dataSource.query(
      `UPDATE outbox_event SET status = 'pending', attempts = 0, next_attempt_at = now() WHERE id = $1 AND status = 'dead'`,
      [id],
    );
    if (affected) this.relay.wake();
    return affected > 0;
  }
}
