import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { BatchedPurge } from '../../../core/retention';
import { ConsoleSessionRepository } from '../persistence/console-session.repository';

/** Deletes expired console sessions, in batches of 500, every 10 minutes (expired ones already let nobody in). */
@Injectable()
export class ConsoleSessionPurgeService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly purge: BatchedPurge;

  constructor(sessions: ConsoleSessionRepository) {
    this.purge = new BatchedPurge({
      what: 'expired console sessions',
      everyMs: 10 * 60_000,
      batch: 500,
      windowMs: 0,
      deleteBatch: (before, limit) => sessions.deleteExpired(before, limit),
    });
  }

  onApplicationBootstrap(): void {
    this.purge.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.purge.stop();
  }

  purgeOnce(now = new Date()): Promise<number> {
    return this.purge.runOnce(now);
  }
}
