import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

export const ADMIN_BEARER = 'admin';

/**
 * The read and admin API's OpenAPI document, generated from the controllers and their DTO classes:
 * every route under /api, nothing else (the 2Checkout endpoints speak 2Checkout's protocol, and the
 * probes are for machines). Served at /api/docs, JSON at /api/docs-json.
 */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('IPN backend: read and admin API')
    .setDescription('Orders, accounts, customers, stored notifications, replays and dead letters. Every call wants the admin token.')
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' }, ADMIN_BEARER)
    .build();
  const document = SwaggerModule.createDocument(app, config);
  document.paths = Object.fromEntries(Object.entries(document.paths).filter(([path]) => path === '/api' || path.startsWith('/api/')));
  return document;
}

export function setUpOpenApi(app: INestApplication): void {
  SwaggerModule.setup('api/docs', app, () => openApiDocument(app), { jsonDocumentUrl: 'api/docs-json', raw: ['json'] });
}
