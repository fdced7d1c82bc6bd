import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';

export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/**
 * One line about a request, written by whoever observes it whole (the IPN module's observer), with
 * exactly the fields given: outside any request context, and built only when the level is on.
 */
@Injectable()
export class RequestLog {
  constructor(@Inject(ROOT_LOGGER) private readonly root: Logger) {}

  /** False at LOG_LEVEL error or warn: the caller then skips building the line. */
  get enabled(): boolean {
    return this.root.isLevelEnabled('info');
  }

  write(fields: Record<string, unknown>, msg: string): void {
    this.root.info(fields, msg);
  }
}
