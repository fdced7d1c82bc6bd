import { HttpStatus } from '@nestjs/common';
import { AppException, ErrorCode } from '../../../core/errors';

export function found<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined || value === false) {
    throw new AppException(HttpStatus.NOT_FOUND, ErrorCode.NotFound, `No ${what}.`);
  }
  return value;
}
