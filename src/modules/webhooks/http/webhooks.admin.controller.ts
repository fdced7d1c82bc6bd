import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { AppException, ErrorCode } from '../../../core/errors';
import { AdminOnly, Audited } from '../../admin';
import { WebhookEndpointsService } from '../application/webhook-endpoints.service';
import {
  CreateWebhookDto,
  CreatedWebhookDto,
  ReplayWebhookDto,
  RotatedSecretDto,
  UpdateWebhookDto,
  WebhookAttemptDto,
  WebhookDeletedDto,
  WebhookEndpointDto,
  WebhookReplayedDto,
} from './dto/webhook.dto';
import { validatedBody } from './validated-body';

const byId = (request: Request) => String(request.params.id);

/** Webhook endpoints: registered, changed, removed, their secrets rotated, their events replayed; every change audited. */
@ApiTags('webhooks')
@Controller('api/webhooks')
@AdminOnly()
@ApiBadRequestResponse({ description: 'WEBHOOK_INVALID_BODY, WEBHOOK_URL_REFUSED (SSRF rules), WEBHOOK_UNKNOWN_EVENTS' })
export class WebhooksAdminController {
  constructor(private readonly endpoints: WebhookEndpointsService) {}

  @Post()
  @ApiOperation({ summary: 'Registers an endpoint; its signing secret is in this answer only (and on rotation)' })
  @ApiCreatedResponse({ type: CreatedWebhookDto })
  // The URL may carry a token: the audit row names the new id, not the URL.
  @Audited({ action: 'webhook.create', target: () => 'new', detail: (result) => `id ${(result as CreatedWebhookDto).id}` })
  create(@Body() body: unknown) {
    const draft = validatedBody(CreateWebhookDto, body);
    return this.endpoints.create(draft);
  }

  @Get()
  @ApiOperation({ summary: 'Every endpoint, oldest first (no secrets)' })
  @ApiOkResponse({ type: [WebhookEndpointDto] })
  list() {
    return this.endpoints.list();
  }

  @Get(':id')
  @ApiOkResponse({ type: WebhookEndpointDto })
  @ApiNotFoundResponse({ description: 'No endpoint with this id' })
  get(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.endpoints.get(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Changes the url, events, description or status (disabling skips what was not delivered)' })
  @ApiOkResponse({ type: WebhookEndpointDto })
  @ApiNotFoundResponse({ description: 'No endpoint with this id' })
  @Audited({ action: 'webhook.update', target: byId, detail: (result) => `status ${(result as WebhookEndpointDto).status}` })
  update(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: unknown) {
    return this.endpoints.update(id, validatedBody(UpdateWebhookDto, body));
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Removes the endpoint, with its attempts and undelivered events' })
  @ApiOkResponse({ type: WebhookDeletedDto })
  @ApiNotFoundResponse({ description: 'No endpoint with this id' })
  @Audited({ action: 'webhook.delete', target: byId })
  async remove(@Param('id', new ParseUUIDPipe()) id: string): Promise<WebhookDeletedDto> {
    await this.endpoints.remove(id);
    return { deleted: id };
  }

  @Post(':id/secret/rotate')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'A new secret; the previous one keeps signing beside it for WEBHOOK_SECRET_OVERLAP' })
  @ApiOkResponse({ type: RotatedSecretDto })
  @ApiNotFoundResponse({ description: 'No endpoint with this id' })
  @Audited({ action: 'webhook.secret.rotate', target: byId })
  rotate(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.endpoints.rotateSecret(id);
  }

  @Get(':id/attempts')
  @ApiOperation({ summary: "The endpoint's delivery attempts, newest first" })
  @ApiQuery({ name: 'limit', required: false, description: '1 to 1000, default 100' })
  @ApiOkResponse({ type: [WebhookAttemptDto] })
  @ApiNotFoundResponse({ description: 'No endpoint with this id' })
  attempts(@Param('id', new ParseUUIDPipe()) id: string, @Query('limit') limit?: unknown) {
    const count = limit === undefined ? 100 : typeof limit === 'string' && /^\d{1,4}$/.test(limit) ? Number(limit) : Number.NaN;
    if (!(count >= 1 && count <= 1000)) {
      throw new AppException(HttpStatus.BAD_REQUEST, ErrorCode.BadRequest, 'limit must be a whole number from 1 to 1000.');
    }
    return this.endpoints.attempts(id, count);
  }

  @Post(':id/replay')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: "Sends the endpoint's matching events logged since `since` again (after each order's newer ones)" })
  @ApiOkResponse({ type: WebhookReplayedDto })
  @ApiNotFoundResponse({ description: 'No endpoint with this id' })
  @ApiConflictResponse({ description: 'WEBHOOK_DISABLED: enable the endpoint first' })
  @Audited({
    action: 'webhook.replay',
    target: (request) => `${byId(request)} since ${String(request.body?.since)}`,
    detail: (result) => `${(result as WebhookReplayedDto).replayed} replayed`,
  })
  replay(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: unknown) {
    const { since } = validatedBody(ReplayWebhookDto, body);
    return this.endpoints.replay(id, new Date(since));
  }
}
