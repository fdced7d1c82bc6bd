import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { Logger, ModuleMetadata } from '@nestjs/common';
import { createApp } from './bootstrap';
import { loadConfig } from './config/app.config';
import { ConfigurationError } from './config/configuration.error';
import type { Logger as PinoLogger } from 'pino';
import { ROOT_LOGGER } from './core/observability';
import { installGracefulShutdown } from './core/shutdown';
import { openDatabase } from './database/embedded-postgres';
import { SignInLinkService, announceSignInLink } from './modules/console';

/**
 * Runs the service as `npm start` does; `extensions` are modules of one's own (a provisioning
 * strategy, subscribers): an entry point of one's own calls `serve([MyModule])`.
 */
export async function serve(extensions: ModuleMetadata['imports'] = []): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig(process.env);
  const database = await openDatabase(config.database);
  const app = await createApp(config, database, extensions);
  // Our own signal handling rather than enableShutdownHooks(): keep-alive clients are let go, the
  // embedded database closes after the app (and its connection pool) has, and a deadline bounds it all.
  installGracefulShutdown({ app, database, timeoutMs: config.shutdownTimeoutMs });
  await app.listen(config.port);
  const where = config.database.url ? 'PostgreSQL at DATABASE_URL' : `embedded PostgreSQL in ${config.database.dataDir}`;
  const baseUrl = `http://127.0.0.1:${config.port}`;
  new Logger('Main').log(`Listening on ${baseUrl} (IPN: POST /ipn, LCN: POST /lcn), ${where}`);
  // Without ADMIN_TOKEN, a first run still shows what happened: a one-time console link, on a terminal
  // only. Printed once the start-up lines are out (pretty lines come from a worker thread), so it is last.
  app.get<PinoLogger>(ROOT_LOGGER).flush(() => announceSignInLink(app.get(SignInLinkService), baseUrl, process.stdout));
}

export function serveOrExit(extensions: ModuleMetadata['imports'] = []): void {
  serve(extensions).catch((error: Error) => {
    console.error(error instanceof ConfigurationError ? `Configuration error: ${error.message}` : error);
    process.exit(1);
  });
}

if (require.main === module) serveOrExit();
