import type { ModuleMetadata } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module';
import type { AppConfig } from './config/app.config';
import { requestId } from './core/observability';
import type { DatabaseEndpoint } from './database/embedded-postgres';
import { setUpOpenApi } from './modules/admin';
import { NotificationObserver, notificationPostOf } from './modules/ipn';

export interface CreateAppOptions {
  /** Where log lines go instead of stdout: tests read them. */
  readonly logDestination?: DestinationStream;
}

/**
 * Builds the app exactly as production runs it; tests use this too, so they see the same raw body,
 * limits and filters. Nest's body parser stays on with `rawBody: true`: the signature guard reads the
 * raw bytes, and parser errors (such as a body over the limit) go through the exception filter.
 */
export async function createApp(
  config: AppConfig,
  database: DatabaseEndpoint,
  extensions: ModuleMetadata['imports'] = [],
  options: CreateAppOptions = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config, database, extensions, { logDestination: options.logDestination }),
    // Lines logged while the app is built wait for the JSON logger (LOG_LEVEL, LOG_FORMAT).
    { rawBody: true, bufferLogs: true },
  );
  app.useLogger(app.get(Logger));
  // Before the body parser: every request gets its id, and every notification POST is observed
  // (counted, timed, logged once), even one the parser refuses.
  app.use(requestId);
  app.use(app.get(NotificationObserver).middleware);
  // Notifications are read from their raw bytes only (FormBody, in the order signed): a form is kept as
  // bytes, not decoded a second time into an object nobody reads.
  app.useBodyParser('raw', { type: 'application/x-www-form-urlencoded', limit: config.ipn.maxBodyBytes });
  app.useBodyParser('json', { limit: '100kb' });
  // Off unless TRUST_PROXY names the proxies: otherwise any client could choose its address (and so
  // pass IPN_ALLOWED_IPS, or dodge the refusal throttle) with an X-Forwarded-For header.
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  // Security headers on every answer but a notification's: helmet's defaults, whose Content-Security-Policy
  // runs scripts from the service's own files only (the console, src/modules/console, tightens it for its
  // pages). A notification POST is answered to 2Checkout's servers with a line of text no browser renders:
  // its receipt goes without them (a dozen headers, most of the answer's bytes).
  const securityHeaders = helmet();
  app.use((request: Request, response: Response, next: NextFunction) =>
    notificationPostOf(request) ? next() : securityHeaders(request, response, next),
  );
  setUpOpenApi(app);
  return app;
}
