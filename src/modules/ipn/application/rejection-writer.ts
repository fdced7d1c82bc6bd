import { Logger } from '@nestjs/common';
import type { CountedRejections, RejectionRepository, RejectionRow } from '../persistence/rejection.repository';

export interface RejectionWriterOptions {
  /** How long queued refusals wait before they are written together. */
  readonly delayMs: number;
  /** After a failed write, how long before the next try. */
  readonly retryMs: number;
  /** Rows waiting to be written at most; past it, a refusal is counted instead. */
  readonly maxSamples: number;
  /** Counter rows waiting at most (a few a minute, unless the database is away for long). */
  readonly maxCounters: number;
}

type Counter = { -readonly [K in keyof CountedRejections]: CountedRejections[K] };

/**
 * Writes refusals in the background, so that a refused request never waits for the database: sampled
 * rows and counts are queued in memory (bounded) and written together by one statement each, one write
 * at a time, a moment later. A failed write is retried; its sampled rows are then only counted, so the
 * totals survive. `flush` writes what is queued (tests, shutdown).
 */
export class RejectionWriter {
  private readonly logger = new Logger('IpnRejections');
  private samples: RejectionRow[] = [];
  private counters = new Map<string, Counter>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<boolean> | undefined;
  private failing = false;
  private closed = false;
  /** Refusals dropped because the counters were full while the database was away. */
  private lost = 0;

  constructor(
    private readonly rejections: RejectionRepository,
    private readonly options: RejectionWriterOptions,
  ) {}

  /** Queues a row; false when the queue is full (count it instead). */
  sample(row: RejectionRow): boolean {
    if (this.samples.length >= this.options.maxSamples) return false;
    this.samples.push(row);
    this.schedule();
    return true;
  }

  count(row: Omit<RejectionRow, 'detail' | 'refNo'>, minute: Date, count = 1): void {
    this.add({
      kind: row.kind,
      listener: row.listener,
      reason: row.reason,
      minute,
      count,
      remoteAddress: row.remoteAddress,
      bodyBytes: row.bodyBytes,
      lastReceivedAt: row.receivedAt,
    });
    this.schedule();
  }

  /** Refusals queued and not yet written (rows and counted ones). */
  get pending(): number {
    let counted = 0;
    for (const counter of this.counters.values()) counted += counter.count;
    return this.samples.length + counted;
  }

  /** Writes everything queued so far (once: a failed write stays queued for the next try). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.writing) await this.writing;
    if (this.samples.length > 0 || this.counters.size > 0) await this.write();
  }

  /** Writes what is queued, then stops: refusals after this are not written (the pool is closing). */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  private schedule(delayMs = this.options.delayMs): void {
    if (this.timer || this.writing || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.write();
    }, delayMs).unref();
  }

  private write(): Promise<boolean> {
    const samples = this.samples;
    const counters = [...this.counters.values()];
    this.samples = [];
    this.counters = new Map();
    const writing = this.writeNow(samples, counters);
    this.writing = writing;
    void writing.then((written) => {
      this.writing = undefined;
      if (this.samples.length > 0 || this.counters.size > 0) this.schedule(written ? this.options.delayMs : this.options.retryMs);
    });
    return writing;
  }

  private async writeNow(samples: RejectionRow[], counters: Counter[]): Promise<boolean> {
    try {
      await this.rejections.insertSamples(samples);
      samples = [];
      await this.rejections.addCounts(counters);
    } catch (error) {
      // The rows not written are counted instead, and the counts kept for the next try.
      for (const row of samples) this.add(counterOf(row));
      for (const counter of counters) this.add(counter);
      if (!this.failing)
        this.logger.error(`Could not record refusals (retrying every ${this.options.retryMs} ms): ${(error as Error).message}`);
      this.failing = true;
      return false;
    }
    if (this.failing) {
      this.logger.warn(`Recording refusals again${this.lost > 0 ? `; ${this.lost} refusals could not be counted meanwhile` : ''}`);
      this.failing = false;
      this.lost = 0;
    }
    return true;
  }

  private add(counter: Counter): void {
    const key = `${counter.kind} ${counter.listener} ${counter.reason} ${counter.minute.getTime()}`;
    const known = this.counters.get(key);
    if (known) {
      known.count += counter.count;
      known.bodyBytes = Math.max(known.bodyBytes, counter.bodyBytes);
      if (known.remoteAddress !== counter.remoteAddress) known.remoteAddress = null;
      if (counter.lastReceivedAt > known.lastReceivedAt) known.lastReceivedAt = counter.lastReceivedAt;
    } else if (this.counters.size < this.options.maxCounters) {
      this.counters.set(key, { ...counter });
    } else {
      this.lost += counter.count;
    }
  }
}

function counterOf(row: RejectionRow): Counter {
  const minute = row.receivedAt.getTime() - (row.receivedAt.getTime() % 60_000);
  return {
    kind: row.kind,
    listener: row.listener,
    reason: row.reason,
    minute: new Date(minute),
    count: 1,
    remoteAddress: row.remoteAddress,
    bodyBytes: row.bodyBytes,
    lastReceivedAt: row.receivedAt,
  };
}
