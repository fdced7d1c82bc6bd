import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/database/embedded-postgres';
import { MIGRATIONS } from '../../src/database/migrations';
import { runMigrations } from '../../src/database/run-migrations';
import { withClient } from '../setup/test-database';

const dataDir = mkdtempSync(join(tmpdir(), 'ipn-embedded-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

it('without DATABASE_URL, serves a persistent PostgreSQL under DATA_DIR to the pg driver', async () => {
  const first = await openDatabase({ url: undefined, dataDir, poolSize: 2 });
  try {
    expect(await runMigrations(first.url)).toEqual(MIGRATIONS.map((migration) => migration.name));
    await withClient(first.url, (client) =>
      client.query(`INSERT INTO ipn_rejection (kind, listener, reason, detail, body_bytes) VALUES ('ipn', 'default', 'signature_missing', 'kept', 1)`),
    );
  } finally {
    await first.close();
  }

  const second = await openDatabase({ url: undefined, dataDir, poolSize: 2 });
  try {
    expect(await runMigrations(second.url)).toEqual([]);
    const rows = await withClient(second.url, async (client) => (await client.query(`SELECT detail FROM ipn_rejection`)).rows);
    expect(rows).toEqual([{ detail: 'kept' }]);
  } finally {
    await second.close();
  }
});
