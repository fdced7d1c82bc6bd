/**
 * Snapshots of cumulative values (counters, histogram buckets) taken over time, so that what happened
 * within the last `windowMs` is the newest snapshot minus the oldest one still inside the window.
 */
export class TrailingWindow<T> {
  private readonly snapshots: Array<{ at: number; value: T }> = [];

  constructor(private readonly windowMs: number) {}

  /** Records `value` as of `at`, and returns the snapshot it should be compared with. */
  push(at: number, value: T): T | undefined {
    this.snapshots.push({ at, value });
    // Keep one snapshot at or before the window's start, to measure the whole window.
    while (this.snapshots.length > 2 && this.snapshots[1].at <= at - this.windowMs) this.snapshots.shift();
    return this.snapshots.length > 1 ? this.snapshots[0].value : undefined;
  }
}
