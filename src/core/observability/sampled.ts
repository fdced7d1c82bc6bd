/**
 * A figure read from the database for scrapes and alert evaluations: read at most once per `ttlMs`
 * (callers in between share the last reading or the one under way); a read that fails or takes longer
 * than `timeoutMs` (the database unreachable) leaves the last values standing.
 */
export class Sampled<T> {
  private last: T | undefined;
  private readAt = 0;
  private reading: Promise<T | undefined> | undefined;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly ttlMs: number,
    private readonly timeoutMs: number,
    private readonly onMiss: (error: Error) => void = () => undefined,
  ) {}

  /** The figure, at most `ttlMs` old; undefined while it could not be read yet. */
  get(): Promise<T | undefined> {
    if (this.last !== undefined && Date.now() - this.readAt < this.ttlMs) return Promise.resolve(this.last);
    this.reading ??= this.refresh().finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async refresh(): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      });
      this.last = await Promise.race([this.read(), timeout]);
      this.readAt = Date.now();
    } catch (error) {
      this.onMiss(error as Error);
    } finally {
      clearTimeout(timer);
    }
    return this.last;
  }
}
