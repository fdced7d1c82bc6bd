const MINUTE_MS = 60_000;

/** At most `perMinute` takes within each clock minute; tells once a minute when the budget ran out. */
export class MinuteBudget {
  private minute = -1;
  private taken = 0;
  private toldOut = false;

  constructor(private readonly perMinute: number) {}

  /** Takes one unit; false when this minute's budget is spent. */
  take(now: number): boolean {
    this.roll(now);
    if (this.taken >= this.perMinute) return false;
    this.taken += 1;
    return true;
  }

  /** True the first time in a minute that this is asked once the budget is spent. */
  firstTimeOut(now: number): boolean {
    this.roll(now);
    if (this.taken < this.perMinute || this.toldOut) return false;
    this.toldOut = true;
    return true;
  }

  /** The start of `now`'s minute, in ms. */
  static minuteOf(now: number): number {
    return now - (now % MINUTE_MS);
  }

  private roll(now: number): void {
    const minute = MinuteBudget.minuteOf(now);
    if (minute === this.minute) return;
    this.minute = minute;
    this.taken = 0;
    this.toldOut = false;
  }
}
