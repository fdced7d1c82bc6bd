import { HttpStatus } from '@nestjs/common';
import { AppException, ErrorCode } from '../../../core/errors';
import { MAX_REPLAY_RANGE_MS, type NotificationOutcome } from '../../ipn';

const OUTCOMES = new Set<string>(['accepted', 'unprocessable', 'refused', 'duplicate']);

/** A query parameter as a filter: absent, empty or repeated means no filter. */
export function filterValue(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

export function outcomeFilter(value: unknown): NotificationOutcome | 'duplicate' | undefined {
  const outcome = filterValue(value);
  if (outcome !== undefined && !OUTCOMES.has(outcome)) {
    throw new AppException(HttpStatus.BAD_REQUEST, ErrorCode.BadRequest, `outcome must be one of ${[...OUTCOMES].join(', ')}.`);
  }
  return outcome as NotificationOutcome | 'duplicate' | undefined;
}

/** `{ from, to }` of a JSON body: two instants (ISO 8601), `from` before `to`, at most 31 days apart. */
export function timeRange(body: unknown): { from: Date; to: Date } {
  const { from, to } = (body ?? {}) as { from?: unknown; to?: unknown };
  const instant = (value: unknown) => (typeof value === 'string' && value !== '' ? new Date(value) : new Date(NaN));
  const range = { from: instant(from), to: instant(to) };
  const span = range.to.getTime() - range.from.getTime();
  if (!(span > 0 && span <= MAX_REPLAY_RANGE_MS)) {
    throw new AppException(
      HttpStatus.BAD_REQUEST,
      ErrorCode.BadRequest,
      'Give { "from", "to" } as ISO 8601 instants, from before to, at most 31 days apart.',
    );
  }
  return range;
}
