import { randomUUID } from 'node:crypto';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app.config';
import { FigureCount, FigureCountsRepository } from './persistence/figure-counts.repository';

/** Cumulative counts per key since this process started (histogram buckets: key = upper bound). */
export type Counts = ReadonlyMap<string | number, number> | Readonly<Record<string, number>>;

/** A figure as every instance together counted it. */
export interface SharedFigure {
  /** Counts per key (stringified) over the last ALERT_WINDOW, all instances summed; this one's flushed first. */
  overWindow(): Promise<Map<string, number>>;
}

/** Counts reach the database at least this often (or every ALERT_INTERVAL_MS when shorter). */
const MAX_FLUSH_MS = 5000;

interface Source {
  readonly sample: () => Counts | Promise<Counts>;
  /** What the last flush that reached the database had counted. */
  flushed: Map<string, number>;
}

/**
 * Figures that alerts judge over every instance's traffic (the refusal rate, the receipt p99). Each
 * instance samples its own cumulative counters (prom-client's, bumped in process: nothing is added to a
 * request) every few seconds and writes what changed since its last flush, one multi-row statement for
 * all figures; whoever evaluates an alert sums all instances' rows within the window. A flush that fails
 * is carried into the next one: nothing counted is lost while the database is away.
 */
@Injectable()
export class SharedFigures implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Alerts');
  private readonly instance = randomUUID();
  private readonly sources = new Map<string, Source>();
  private readonly windowMs: number;
  private readonly flushMs: number;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly counts: FigureCountsRepository,
  ) {
    this.windowMs = config.observability.alerts.windowMs;
    this.flushMs = Math.min(config.observability.alerts.intervalMs, MAX_FLUSH_MS);
  }

  /** `sample` reads this process's cumulative counts; called at init, one name per figure. */
  share(name: string, sample: () => Counts | Promise<Counts>): SharedFigure {
    if (this.sources.has(name)) throw new Error(`Two shared figures are named "${name}"`);
    this.sources.set(name, { sample, flushed: new Map() });
    return {
      overWindow: async () => {
        await this.flush();
        return this.counts.sum(name, this.windowMs);
      },
    };
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.flush(), this.flushMs);
    this.timer.unref();
  }

  /** The last counts of a closing instance still count for the others. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** Writes what was counted since the last flush (nothing when nothing was); never throws. */
  flush(): Promise<void> {
    this.flushing ??= this.flushOnce().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    try {
      const rows: FigureCount[] = [];
      const sampled: Array<[Source, Map<string, number>]> = [];
      for (const [figure, source] of this.sources) {
        const now = asMap(await source.sample());
        for (const [key, count] of now) {
          const before = source.flushed.get(key) ?? 0;
          // A counter lower than before was reset: all of it is new.
          const delta = count >= before ? count - before : count;
          if (delta !== 0) rows.push({ figure, key, count: delta });
        }
        sampled.push([source, now]);
      }
      if (rows.length === 0) return;
      await this.counts.add(this.instance, rows, this.windowMs + this.flushMs);
      for (const [source, now] of sampled) source.flushed = now;
    } catch (error) {
      this.logger.debug(`Shared counts not flushed, kept for the next flush: ${(error as Error).message}`);
    }
  }
}

function asMap(counts: Counts): Map<string, number> {
  const entries = counts instanceof Map ? [...counts] : Object.entries(counts);
  return new Map(entries.map(([key, count]) => [String(key), count]));
}
