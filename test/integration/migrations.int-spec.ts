import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { ADVISORY_LOCK_SPACE } from '../../src/database/advisory-locks';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { MIGRATIONS } from '../../src/database/migrations';
import { runMigrations } from '../../src/database/run-migrations';
import { TestApp, createTestApp } from '../setup/create-test-app';
import { provisionTestDatabase, withClient } from '../setup/test-database';

let database: DatabaseEndpoint;
let t: TestApp;

beforeAll(async () => {
  database = await provisionTestDatabase();
  t = await createTestApp(database);
});

afterAll(async () => {
  await t?.close();
  await database?.close();
});

it('applies every migration at start', async () => {
  const applied = await t.app.get(DataSource).query(`SELECT name FROM migrations ORDER BY id`);
  expect(applied.map((row: { name: string }) => row.name)).toEqual(MIGRATIONS.map((migration) => migration.name));
});

it('leaves nothing for the schema builder to do: migrations and entities agree', async () => {
  const pending = await t.app.get(DataSource).driver.createSchemaBuilder().log();
  expect(pending.upQueries.map((query) => query.query)).toEqual([]);
});

it('migrates down and up again cleanly', async () => {
  const dataSource = t.app.get(DataSource);
  for (let i = 0; i < MIGRATIONS.length; i++) await dataSource.undoLastMigration();
  expect(await dataSource.query(`SELECT count(*)::int AS n FROM migrations`)).toEqual([{ n: 0 }]);
  await dataSource.runMigrations();
  expect((await dataSource.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
});

describe('several processes migrating one fresh database', () => {
  const names = MIGRATIONS.map((migration) => migration.name);

  it('lets two runs started at once both succeed, applying each migration once', async () => {
    const fresh = await provisionTestDatabase();
    try {
      const quiet = { log: () => undefined };
      const runs = await Promise.all([runMigrations(fresh.url, quiet), runMigrations(fresh.url, quiet)]);
      expect(runs.map((applied) => applied.length).sort((a, b) => a - b)).toEqual([0, names.length]);
      expect(runs.flat()).toEqual(names);
      const rows = await withClient(fresh.url, (client) => client.query(`SELECT name FROM migrations ORDER BY id`));
      expect(rows.rows.map((row: { name: string }) => row.name)).toEqual(names);
    } finally {
      await fresh.close();
    }
  });

  it('makes a run wait, touching nothing, while another process holds the migrations lock', async () => {
    const fresh = await provisionTestDatabase();
    const holder = new Client({ connectionString: fresh.url });
    await holder.connect();
    try {
      await holder.query(`SELECT pg_advisory_lock($1, 0)`, [ADVISORY_LOCK_SPACE.migrations]);
      const said: string[] = [];
      let settled = false;
      const waiting = runMigrations(fresh.url, { log: (message) => said.push(message) }).finally(() => (settled = true));
      await new Promise((done) => setTimeout(done, 700));
      expect(settled).toBe(false);
      expect(said).toEqual(['Another process is applying migrations to this database: waiting for it']);
      const { rows } = await holder.query(`SELECT to_regclass('migrations') AS t`);
      expect(rows).toEqual([{ t: null }]);

      await holder.query(`SELECT pg_advisory_unlock($1, 0)`, [ADVISORY_LOCK_SPACE.migrations]);
      expect(await waiting).toEqual(names);
    } finally {
      await holder.end();
      await fresh.close();
    }
  });
});
