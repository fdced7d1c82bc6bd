import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { transformFileSync } from '@swc/core';
import { Pool } from 'pg';
import { DatabaseEndpoint, openDatabase, startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { MIGRATIONS } from '../../src/database/migrations';
import { runMigrations } from '../../src/database/run-migrations';
import { withClient } from '../setup/test-database';

// The production path: openDatabase without DATABASE_URL, on a real data folder (a private mktemp
// folder, as root the hard case: the server runs as `postgres`).
const dataDir = mkdtempSync(join(tmpdir(), 'ipn-embedded-'));
const open = (): Promise<DatabaseEndpoint> => openDatabase({ url: undefined, dataDir, poolSize: 10 });
const postmasterPid = (): number => Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
const running = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const scratch = [dataDir];
afterAll(() => scratch.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

it('starts in DATA_DIR, runs the migrations, and keeps what was written across close and reopen', async () => {
  const first = await open();
  try {
    expect(first.maxPoolSize).toBeUndefined();
    expect(await runMigrations(first.url)).toEqual(MIGRATIONS.map((migration) => migration.name));
    await withClient(first.url, (client) => client.query(`CREATE TABLE kept (detail text); INSERT INTO kept VALUES ('kept')`));
  } finally {
    await first.close();
  }

  const second = await open();
  try {
    expect(await runMigrations(second.url)).toEqual([]);
    expect(await withClient(second.url, async (client) => (await client.query(`SELECT detail FROM kept`)).rows)).toEqual([
      { detail: 'kept' },
    ]);
  } finally {
    await second.close();
  }
});

it('is durable: fsync, synchronous commit, full-page writes and data checksums are on', async () => {
  const database = await open();
  try {
    const settings = await withClient(database.url, async (client) => {
      const names = ['fsync', 'synchronous_commit', 'full_page_writes', 'data_checksums'];
      const values: Record<string, string> = {};
      for (const name of names) values[name] = (await client.query(`SHOW ${name}`)).rows[0][name];
      return values;
    });
    expect(settings).toEqual({ fsync: 'on', synchronous_commit: 'on', full_page_writes: 'on', data_checksums: 'on' });
  } finally {
    await database.close();
  }
});

it('serves a full pool: eight connections run their queries at the same time', async () => {
  const database = await open();
  const pool = new Pool({ connectionString: database.url, max: 8 });
  try {
    const started = Date.now();
    const pids = await Promise.all(
      Array.from({ length: 8 }, async () => (await pool.query(`SELECT pg_backend_pid() AS pid, pg_sleep(0.5)`)).rows[0].pid as number),
    );
    expect(new Set(pids).size).toBe(8);
    // One after another they would take 4 s.
    expect(Date.now() - started).toBeLessThan(2500);
  } finally {
    await pool.end();
    await database.close();
  }
});

it('close stops the server: its port answers no more and its postmaster.pid is gone', async () => {
  const database = await open();
  const pid = postmasterPid();
  const port = Number(new URL(database.url).port);
  await database.close();

  expect(running(pid)).toBe(false);
  expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
  const refused = await new Promise<string>((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
  expect(refused).toBe('ECONNREFUSED');
});

it('starts again after its server was killed (SIGKILL): crash recovery keeps every commit', async () => {
  const first = await open();
  await withClient(first.url, (client) => client.query(`CREATE TABLE crash (n int); INSERT INTO crash SELECT generate_series(1, 1000)`));
  process.kill(postmasterPid(), 'SIGKILL');
  await first.close();

  const second = await open();
  try {
    expect(await withClient(second.url, async (client) => (await client.query(`SELECT count(*)::int AS n FROM crash`)).rows[0].n)).toBe(
      1000,
    );
  } finally {
    await second.close();
  }
});

it('removes a stale postmaster.pid whose number now belongs to another process (a restarted container)', async () => {
  const pgdata = join(dataDir, 'postgres');
  writeFileSync(join(pgdata, 'postmaster.pid'), `${process.pid}\n${pgdata}\n0\n5432\n\n127.0.0.1\n0 0\nready   \n`);
  const database = await open();
  try {
    expect(postmasterPid()).not.toBe(process.pid);
  } finally {
    await database.close();
  }
});

describe('a process that opened the database and was killed', () => {
  let child: ChildProcess | undefined;
  afterAll(() => child?.kill('SIGKILL'));

  it('leaves a server that the next start stops before starting its own, data kept', async () => {
    child = spawn(process.execPath, ['-e', openerScript(dataDir)], {
      env: { ...process.env, NODE_PATH: resolve(__dirname, '..', '..', 'node_modules') },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const url = await firstLine(child, /^URL (\S+)/);
    await withClient(url, (client) => client.query(`CREATE TABLE orphaned (n int); INSERT INTO orphaned VALUES (1)`));
    const leftover = postmasterPid();
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(running(leftover)).toBe(true);

    const database = await open();
    try {
      expect(running(leftover)).toBe(false);
      expect(postmasterPid()).not.toBe(leftover);
      expect(await withClient(database.url, async (client) => (await client.query(`SELECT n FROM orphaned`)).rows)).toEqual([{ n: 1 }]);
    } finally {
      await database.close();
    }
  });
});

it('refuses a DATA_DIR whose server another live process of ours runs', async () => {
  const database = await open();
  try {
    await expect(open()).rejects.toThrow(/in use by PostgreSQL/);
  } finally {
    await database.close();
  }
});

it('memory:// is a throw-away cluster, removed on close', async () => {
  const database = await startEmbeddedPostgres({ dataDir: 'memory://' });
  const folder = await withClient(
    database.url,
    async (client) => (await client.query(`SELECT current_setting('data_directory') AS d`)).rows[0].d as string,
  );
  expect(existsSync(folder)).toBe(true);
  await database.close();
  expect(existsSync(folder)).toBe(false);
});

/** The module compiled to plain CommonJS, for a child `node` to open the database with. */
function openerScript(folder: string): string {
  const out = mkdtempSync(join(tmpdir(), 'ipn-opener-'));
  scratch.push(out);
  for (const name of ['embedded-postgres', 'embedded-postgres-binaries']) {
    const source = resolve(__dirname, '..', '..', 'src', 'database', `${name}.ts`);
    const { code } = transformFileSync(source, {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
    });
    writeFileSync(join(out, `${name}.js`), code);
  }
  const module = JSON.stringify(join(out, 'embedded-postgres.js'));
  return `require(${module}).openDatabase({ dataDir: ${JSON.stringify(folder)}, poolSize: 1 })
    .then((db) => { console.log('URL ' + db.url); setInterval(() => undefined, 1000); })
    .catch((error) => { console.error(error); process.exit(1); });`;
}

async function firstLine(child: ChildProcess, pattern: RegExp): Promise<string> {
  let text = '';
  return new Promise((done, fail) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const match = text
        .split('\n')
        .map((line) => pattern.exec(line))
        .find(Boolean);
      if (match) done(match[1]);
    });
    child.once('exit', (code) => fail(new Error(`the opener exited (${code}) before it printed a URL: ${text}`)));
  });
}
