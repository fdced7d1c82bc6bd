import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';

export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/**
 * One line about a request, written by whoever observes it whole (the IPN module's observer), with
 * exactly the fields given: outside any request context, and built only when the level is on. The
 * fields are the observer's own (ids, REFNO, statuses, outcome, duration; none the redaction list names),
 * so the line skips redaction, which would otherwise walk every path of the list for each notification.
 */
@Injectable()
export class RequestLog {
  private readonly lines: Logger;

  constructor(@Inject(ROOT_LOGGER) private readonly root: Logger) {
    this.lines = root.child({}, { redact: [] });
  }

  /** False at LOG_LEVEL error or warn: the caller then skips building the line. */
  get enabled(): boolean {
    return this.root.isLevelEnabled('info');
  }

  write(fields: Record<string, unknown>, msg: string): void {
    this.lines.info(fields, msg);
  }
}
