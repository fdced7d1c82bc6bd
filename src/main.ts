import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { createApp } from './bootstrap';
import { loadConfig } from './config/app.config';
import { ConfigurationError } from './config/configuration.error';
import { openDatabase } from './database/embedded-postgres';

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig(process.env);
  const database = await openDatabase(config.database);
  const app = await createApp(config, database);
  // Our own signal handling rather than enableShutdownHooks(): the embedded database must close after
  // the app (and its connection pool) has.
  const stop = async (): Promise<void> => {
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await app.listen(config.port);
  const where = config.database.url ? 'PostgreSQL at DATABASE_URL' : `embedded PostgreSQL in ${config.database.dataDir}`;
  new Logger('Main').log(`Listening on http://127.0.0.1:${config.port} (IPN: POST /ipn, LCN: POST /lcn), ${where}`);
}

main().catch((error: Error) => {
  console.error(error instanceof ConfigurationError ? `Configuration error: ${error.message}` : error);
  process.exit(1);
});
