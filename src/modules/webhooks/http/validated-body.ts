import { HttpStatus } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { WebhookErrorCode, WebhookException } from '../application/webhook-errors';

/** The body as `type`, checked by its class-validator rules; unknown fields are refused (a typo must not pass unseen). */
export function validatedBody<T extends object>(type: new () => T, body: unknown): T {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new WebhookException(
      HttpStatus.BAD_REQUEST,
      WebhookErrorCode.InvalidBody,
      'Send a JSON object (content-type: application/json).',
    );
  }
  const value = plainToInstance(type, body);
  const [problem] = validateSync(value, { whitelist: true, forbidNonWhitelisted: true });
  if (problem) {
    // class-validator lists a property's broken rules last-written first: the first written is told.
    const message = Object.values(problem.constraints ?? {}).at(-1) ?? `${problem.property} is invalid`;
    throw new WebhookException(HttpStatus.BAD_REQUEST, WebhookErrorCode.InvalidBody, `${message}.`);
  }
  return value;
}
