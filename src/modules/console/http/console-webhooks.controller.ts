import { Body, Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { AppException, ErrorCode } from '../../../core/errors';
import { WebhookEndpointsService } from '../../webhooks';
import { ConsoleAuditService } from '../application/console-audit.service';
import { ConsoleSignedIn } from './console-session.guard';

/** Attempts shown on an endpoint's page. */
const ATTEMPTS_SHOWN = 100;

/** Webhook endpoints: the list, one endpoint with its attempts; its secret rotated, its events replayed (audited as through /api). */
@Controller('console/api')
@ConsoleSignedIn()
export class ConsoleWebhooksController {
  constructor(
    private readonly endpoints: WebhookEndpointsService,
    private readonly audit: ConsoleAuditService,
  ) {}

  @Get('webhooks')
  list() {
    return this.endpoints.list();
  }

  @Get('webhooks/:id')
  async endpoint(@Param('id', new ParseUUIDPipe()) id: string) {
    const endpoint = await this.endpoints.get(id);
    return { endpoint, attempts: await this.endpoints.attempts(id, ATTEMPTS_SHOWN) };
  }

  @Post('webhooks/:id/secret/rotate')
  @HttpCode(HttpStatus.OK)
  rotate(@Param('id', new ParseUUIDPipe()) id: string, @Req() request: Request) {
    return this.audit.run(request, 'webhook.secret.rotate', id, () => this.endpoints.rotateSecret(id));
  }

  @Post('webhooks/:id/replay')
  @HttpCode(HttpStatus.OK)
  replay(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: unknown, @Req() request: Request) {
    const since = sinceOf(body);
    return this.audit.run(
      request,
      'webhook.replay',
      `${id} since ${since.toISOString()}`,
      () => this.endpoints.replay(id, since),
      (result) => `${result.replayed} replayed`,
    );
  }
}

function sinceOf(body: unknown): Date {
  const { since } = (body ?? {}) as { since?: unknown };
  const at = typeof since === 'string' && since !== '' ? new Date(since) : new Date(Number.NaN);
  if (Number.isNaN(at.getTime()))
    throw new AppException(HttpStatus.BAD_REQUEST, ErrorCode.BadRequest, 'Give { "since" } as an ISO 8601 instant.');
  return at;
}
