import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { OutboxRelay } from '../../../core/events';
import { FormBody, NotificationKind } from '../protocol';
import { NotificationProcessors } from './notification-processors';

/**
 * Runs the processing of a stored notification again, like the platform's "resend notification",
 * from its raw body. Processors are idempotent, so a replay of an applied message changes nothing.
 */
@Injectable()
export class ReplayNotificationUseCase {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly processors: NotificationProcessors,
    private readonly relay: OutboxRelay,
  ) {}

  /** False when no accepted notification has this id. */
  async execute(id: string): Promise<boolean> {
    const replayed = await this.dataSource.transaction(async (manager) => {
      const [row] = await manager.query(
        `SELECT id, kind, listener, raw_body, test_order FROM ipn_notification
         WHERE id = $1 AND status = 'accepted' FOR UPDATE`,
        [id],
      );
      if (!row) return false;
      const kind = row.kind as NotificationKind;
      const form = FormBody.parse(row.raw_body);
      await this.processors.run([{ id: row.id, kind, listener: row.listener, form, test: row.test_order, replay: true }], manager);
      return true;
    });
    if (replayed) this.relay.wake();
    return replayed;
  }
}
