import { Module } from '@nestjs/common';
import { AdminModule } from '../admin';
import { WebhookAttemptRetention } from './application/webhook-attempt-retention';
import { WebhookDelivery } from './application/webhook-delivery';
import { WebhookEndpointsService } from './application/webhook-endpoints.service';
import { WebhookTargets } from './application/webhook-targets';
import { WebhooksAdminController } from './http/webhooks.admin.controller';
import { WebhookAttemptRepository } from './persistence/webhook-attempt.repository';
import { WebhookEndpointRepository } from './persistence/webhook-endpoint.repository';

/**
 * Signed webhooks (Standard Webhooks): endpoints registered through /api/webhooks, each a target of the
 * delivery stage; SSRF rules at registration and at connect time; attempts recorded and kept bounded.
 */
@Module({
  imports: [AdminModule],
  controllers: [WebhooksAdminController],
  providers: [
    WebhookEndpointRepository,
    WebhookAttemptRepository,
    WebhookDelivery,
    WebhookTargets,
    WebhookEndpointsService,
    WebhookAttemptRetention,
  ],
  // The console shows and changes endpoints through the same service.
  exports: [WebhookEndpointsService],
})
export class WebhooksModule {}
