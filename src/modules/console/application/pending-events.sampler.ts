import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EventHistoryQuery } from '../../../core/events';

export interface PendingSample {
  at: Date;
  pending: number;
  dead: number;
}

const SAMPLE_EVERY_MS = 15_000;
/** An hour of samples. */
const KEPT = 240;

/**
 * The outbox's depth over the last hour, for the console's chart. The outbox keeps no history of its
 * depth (and rebuilding it from event times would scan the table), so this process samples it.
 */
@Injectable()
export class PendingEventsSampler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly samples: PendingSample[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly history: EventHistoryQuery) {}

  onApplicationBootstrap(): void {
    const keep = async () => {
      const sample = await this.sample();
      if (sample) this.samples.push(sample);
      if (this.samples.length > KEPT) this.samples.shift();
    };
    this.timer = setInterval(() => void keep(), SAMPLE_EVERY_MS).unref();
    void keep();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Oldest first. */
  recent(): PendingSample[] {
    return [...this.samples];
  }

  private async sample(): Promise<PendingSample | undefined> {
    try {
      const { pending, dead } = await this.history.backlog();
      return { at: new Date(), pending, dead };
    } catch {
      return undefined; // The database is unreachable: a gap in the chart.
    }
  }
}
