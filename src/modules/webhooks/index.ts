export { WebhooksModule } from './webhooks.module';
export { WebhookEndpointsService } from './application/webhook-endpoints.service';
export type { WebhookDraft, WebhookEndpointView } from './application/webhook-endpoints.service';
export type { WebhookAttempt } from './persistence/webhook-attempt.repository';
export { WebhookErrorCode } from './application/webhook-errors';
export { webhookBody } from './application/webhook-delivery';
