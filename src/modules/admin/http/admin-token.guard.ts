import { CanActivate, ExecutionContext, HttpStatus, Inject, Injectable, UseGuards, applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { APP_CONFIG, AppConfig } from '../../../config/app.config';
import { AppException, ErrorCode } from '../../../core/errors';
import { AdminThrottleGuard } from './admin-throttle.guard';

/** `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time; without ADMIN_TOKEN, nobody. */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const presented = Buffer.from(/^Bearer (.+)$/i.exec(header)?.[1] ?? '', 'utf8');
    const expected = this.config.adminToken?.reveal();
    if (expected && presented.length === expected.length && timingSafeEqual(presented, expected)) return true;
    throw new AppException(
      HttpStatus.UNAUTHORIZED,
      ErrorCode.Unauthorized,
      expected ? 'Send Authorization: Bearer <ADMIN_TOKEN>.' : 'The admin API is off: set ADMIN_TOKEN to use it.',
    );
  }
}

/**
 * Guards and documentation together: the route is rate-limited (ADMIN_REQUESTS_PER_MINUTE), wants the
 * admin token, and the OpenAPI document says so.
 */
export const AdminOnly = (): ClassDecorator & MethodDecorator =>
  applyDecorators(
    UseGuards(AdminThrottleGuard, AdminTokenGuard),
    ApiTooManyRequestsResponse({ description: 'More than ADMIN_REQUESTS_PER_MINUTE calls within a minute from this token and address' }),
    ApiBearerAuth('admin'),
    ApiUnauthorizedResponse({ description: 'No or wrong Authorization: Bearer <ADMIN_TOKEN>, or ADMIN_TOKEN unset' }),
  );
