/**
 * Keeps a lease alive while its work runs: renews it every third of its length; when a renewal fails
 * (another worker holds it now, or the database cannot be reached), aborts `signal` so the work is
 * abandoned unsettled (its new holder does it again).
 */
export class LeaseKeeper {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;

  constructor(
    renew: () => Promise<boolean>,
    leaseMs: number,
    private readonly what: string,
  ) {
    this.timer = setInterval(
      () => {
        renew().then(
          (held) => held || this.lose('another worker holds it'),
          (error: Error) => this.lose(error.message),
        );
      },
      Math.max(1, Math.floor(leaseMs / 3)),
    );
    this.timer.unref();
  }

  /** Aborted once the lease is lost. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get lost(): boolean {
    return this.controller.signal.aborted;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private lose(why: string): void {
    if (!this.lost) this.controller.abort(new Error(`lease of ${this.what} lost: ${why}`));
    this.stop();
  }
}
