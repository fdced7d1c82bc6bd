import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { createApp } from './bootstrap';
import { loadConfig } from './config/app.config';
import { ConfigurationError } from './config/configuration.error';
import { installGracefulShutdown } from './core/shutdown';
import { openDatabase } from './database/embedded-postgres';

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig(process.env);
  const database = await openDatabase(config.database);
  const app = await createApp(config, database);
  // Our own signal handling rather than enableShutdownHooks(): keep-alive clients are let go, the
  // embedded database closes after the app (and its connection pool) has, and a deadline bounds it all.
  installGracefulShutdown({ app, database, timeoutMs: config.shutdownTimeoutMs });
  await app.listen(config.port);
  const where = config.database.url ? 'PostgreSQL at DATABASE_URL' : `embedded PostgreSQL in ${config.database.dataDir}`;
  new Logger('Main').log(`Listening on http://127.0.0.1:${config.port} (IPN: POST /ipn, LCN: POST /lcn), ${where}`);
}

main().catch((error: Error) => {
  console.error(error instanceof ConfigurationError ? `Configuration error: ${error.message}` : error);
  process.exit(1);
});
