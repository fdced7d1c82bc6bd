/** Longest a failing target rests between tries. */
const MAX_REST_MS = 60_000;

/**
 * Rests a failing in-process subscriber as a whole. Its failures are its own code's (a bug, a hang),
 * not one event's: without a rest, each of its waiting keys would take a connection and its time
 * limit in turn, and the subscribers' share of the pool would go to the broken one while the healthy
 * ones wait. The rest doubles with each failure in a row (from the target's first retry delay, at
 * most a minute); a success ends it. Per process: each instance rests its own tries.
 */
export class TargetCooldown {
  private readonly rests = new Map<string, { strikes: number; until: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  resting(target: string): boolean {
    const rest = this.rests.get(target);
    return rest !== undefined && rest.until > this.now();
  }

  failed(target: string, firstDelayMs: number): void {
    const strikes = (this.rests.get(target)?.strikes ?? 0) + 1;
    const restMs = Math.min(Math.max(firstDelayMs, 1) * 2 ** (strikes - 1), MAX_REST_MS);
    this.rests.set(target, { strikes, until: this.now() + restMs });
  }

  succeeded(target: string): void {
    this.rests.delete(target);
  }
}
