import { Injectable } from '@nestjs/common';

/**
 * Told when a delivery transaction that appended to the event log has committed, so that what follows
 * the log (the delivery stage) looks now instead of at its next poll. A push: the relay never calls
 * into what reads the log.
 */
@Injectable()
export class EventLogSignal {
  private readonly listeners: Array<() => void> = [];

  onAppended(listener: () => void): void {
    this.listeners.push(listener);
  }

  appended(): void {
    for (const listener of this.listeners) listener();
  }
}
