import { timingSafeEqual } from 'node:crypto';
import { CanActivate, Controller, ExecutionContext, Get, Header, HttpStatus, Inject, Injectable, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { APP_CONFIG, AppConfig } from '../../config/app.config';
import { AppException, ErrorCode } from '../errors';
import { MetricsRegistry } from './metrics-registry';

/** With METRICS_TOKEN set, `Authorization: Bearer <METRICS_TOKEN>`, compared in constant time. */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.config.observability.metricsToken?.reveal();
    if (!expected) return true;
    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const presented = Buffer.from(/^Bearer (.+)$/i.exec(header)?.[1] ?? '', 'utf8');
    if (presented.length === expected.length && timingSafeEqual(presented, expected)) return true;
    throw new AppException(HttpStatus.UNAUTHORIZED, ErrorCode.Unauthorized, 'Send Authorization: Bearer <METRICS_TOKEN>.');
  }
}

/** Prometheus text exposition of the app's registry. */
@ApiExcludeController()
@Controller('metrics')
@UseGuards(MetricsTokenGuard)
export class MetricsController {
  constructor(private readonly registry: MetricsRegistry) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  async scrape(@Res({ passthrough: true }) response: Response): Promise<string> {
    response.setHeader('Content-Type', this.registry.contentType);
    return this.registry.metrics();
  }
}
