import { DataSource } from 'typeorm';
import { loadConfig } from '../config/app.config';
import { dataSourceOptions } from './data-source-options';
import { DatabaseEndpoint, openDatabase } from './embedded-postgres';

/** Applies pending migrations to the configured database (the embedded one without DATABASE_URL). */
export async function runMigrations(url: string): Promise<string[]> {
  const dataSource = new DataSource({ ...dataSourceOptions(url, 1), logging: false });
  await dataSource.initialize();
  try {
    return (await dataSource.runMigrations({ transaction: 'each' })).map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}

async function main(): Promise<void> {
  const config = loadConfig({ IPN_SECRET_KEY: 'unused-by-migrations', ...process.env });
  const endpoint: DatabaseEndpoint = await openDatabase(config.database);
  try {
    const applied = await runMigrations(endpoint.url);
    process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'No pending migrations.\n');
  } finally {
    await endpoint.close();
  }
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(`Migrations failed: ${error.message}`);
    process.exit(1);
  });
}
