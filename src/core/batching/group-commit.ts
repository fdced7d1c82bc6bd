import { isDatabaseUnavailable } from '../errors/database-unavailable';

export interface GroupCommitOptions {
  /** Most items committed together. */
  readonly maxBatch: number;
  /** Batches committing at once: while some commit, the next batch fills. */
  readonly maxConcurrentBatches: number;
}

interface Pending<TItem, TResult> {
  readonly item: TItem;
  readonly resolve: (result: TResult) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit: items submitted while earlier batches are committing wait and are committed together,
 * in one transaction, so a burst costs a few round trips and fsyncs per batch instead of per item.
 * Nothing waits for a timer: an item that finds a free slot is committed at once, alone. Each submitter
 * gets its own result only after its batch committed. When a batch fails for a reason other than the
 * database being unreachable, each of its items is committed on its own, so one bad item fails alone.
 * When it fails because the database is unreachable (or silent past its time limits), the items waiting
 * behind it fail too, at once: they would wait for the same database, and their senders retry anyway;
 * so no one waits longer than one time limit for a 503.
 */
export class GroupCommit<TItem, TResult> {
  private readonly queue: Array<Pending<TItem, TResult>> = [];
  private inFlight = 0;
  private readonly idleWaiters: Array<() => void> = [];

  constructor(
    private readonly commit: (items: readonly TItem[]) => Promise<readonly TResult[]>,
    private readonly options: GroupCommitOptions,
  ) {}

  submit(item: TItem): Promise<TResult> {
    return new Promise<TResult>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.startBatches();
    });
  }

  /** Resolves once nothing is queued or committing (at shutdown: every batch committed or rolled back). */
  settled(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private startBatches(): void {
    while (this.queue.length > 0 && this.inFlight < this.options.maxConcurrentBatches) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.inFlight += 1;
      void this.run(batch).finally(() => {
        this.inFlight -= 1;
        this.startBatches();
        if (this.queue.length === 0 && this.inFlight === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
      });
    }
  }

  private async run(batch: Array<Pending<TItem, TResult>>): Promise<void> {
    let results: readonly TResult[];
    try {
      results = await this.commit(batch.map((pending) => pending.item));
    } catch (error) {
      if (isDatabaseUnavailable(error)) {
        for (const pending of [...batch, ...this.queue.splice(0)]) pending.reject(error);
        return;
      }
      if (batch.length === 1) {
        batch[0].reject(error);
        return;
      }
      await Promise.all(batch.map((pending) => this.run([pending])));
      return;
    }
    batch.forEach((pending, index) => pending.resolve(results[index]));
  }
}
