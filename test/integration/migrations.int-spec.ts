import { DataSource } from 'typeorm';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { MIGRATIONS } from '../../src/database/migrations';
import { TestApp, createTestApp } from '../setup/create-test-app';
import { provisionTestDatabase } from '../setup/test-database';

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
