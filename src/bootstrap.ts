import type { ModuleMetadata } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { AppModule } from './app.module';
import type { AppConfig } from './config/app.config';
import type { DatabaseEndpoint } from './database/embedded-postgres';

/**
 * Builds the app exactly as production runs it; tests use this too, so they see the same raw body,
 * limits and filters. Nest's body parser stays on with `rawBody: true`: the signature guard reads the
 * raw bytes, and parser errors (such as a body over the limit) go through the exception filter.
 */
export async function createApp(
  config: AppConfig,
  database: DatabaseEndpoint,
  extensions: ModuleMetadata['imports'] = [],
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, database, extensions), {
    rawBody: true,
    logger: config.logLevels,
  });
  // Notifications are read from their raw bytes only (FormBody, in the order signed): a form is kept as
  // bytes, not decoded a second time into an object nobody reads.
  app.useBodyParser('raw', { type: 'application/x-www-form-urlencoded', limit: config.ipn.maxBodyBytes });
  app.useBodyParser('json', { limit: '100kb' });
  // Off unless TRUST_PROXY names the proxies: otherwise any client could choose its address (and so
  // pass IPN_ALLOWED_IPS, or dodge the refusal throttle) with an X-Forwarded-For header.
  app.set('trust proxy', config.trustProxy);
  // Security headers on every answer; the service serves no pages, so the strictest defaults cost nothing.
  app.use(helmet());
  return app;
}
