import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { withEventSchemas } from './event-webhooks';

export const ADMIN_BEARER = 'admin';
export const EVENTS_BEARER = 'events';

/**
 * The read and admin API's OpenAPI document, generated from the controllers and their DTO classes:
 * every route under /api, nothing else (the 2Checkout endpoints speak 2Checkout's protocol, and the
 * probes are for machines); OpenAPI 3.1, with `webhooks`: what a webhook endpoint is sent for each
 * event, from the generated event schemas. Served at /api/docs, JSON at /api/docs-json.
 */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('IPN backend: read and admin API')
    .setDescription(
      "Orders, accounts, customers, stored notifications, replays, dead letters, deliveries and the event feed. Every call wants the admin token; the event feed also takes EVENTS_TOKEN. The webhooks section shows what a webhook endpoint is sent for each event; the broker's messages are described at GET /api/asyncapi.json.",
    )
    .setVersion('1')
    .setOpenAPIVersion('3.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' }, ADMIN_BEARER)
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'EVENTS_TOKEN (GET /api/events only)' }, EVENTS_BEARER)
    .build();
  const document = SwaggerModule.createDocument(app, config);
  document.paths = Object.fromEntries(Object.entries(document.paths).filter(([path]) => path === '/api' || path.startsWith('/api/')));
  return withEventSchemas(document);
}

export function setUpOpenApi(app: INestApplication): void {
  SwaggerModule.setup('api/docs', app, () => openApiDocument(app), { jsonDocumentUrl: 'api/docs-json', raw: ['json'] });
}
