import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { ConsoleSessionPurgeService } from '../../src/modules/console/application/console-session-purge.service';
import { ConsoleSessionsService, MAX_SESSIONS, SESSION_TTL_MS } from '../../src/modules/console/application/console-sessions.service';
import { TEST_ADMIN_TOKEN, TestApp, createTestApp } from '../setup/create-test-app';
import { provisionTestDatabase } from '../setup/test-database';

/** ConsoleSessions on the real PostgreSQL, with the real migrations. */
let database: DatabaseEndpoint;
let t: TestApp;
let sessions: ConsoleSessionsService;
let db: DataSource;

beforeAll(async () => {
  database = await provisionTestDatabase();
  t = await createTestApp(database);
  sessions = t.app.get(ConsoleSessionsService);
  db = t.app.get(DataSource);
});

afterAll(async () => {
  await t?.close();
  await database?.close();
});

beforeEach(() => db.query(`DELETE FROM console_session`));

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

it('stores a session as the SHA-256 of its id, with its expiry, creation and last use; never the id', async () => {
  const now = new Date('2026-11-24T10:00:00Z');
  const id = await sessions.open(undefined, now);
  expect(await db.query(`SELECT id_hash, token_fingerprint, expires_at, created_at, last_seen_at FROM console_session`)).toEqual([
    {
      id_hash: sha256(id),
      token_fingerprint: sha256(TEST_ADMIN_TOKEN).slice(0, 8),
      expires_at: new Date(now.getTime() + SESSION_TTL_MS),
      created_at: now,
      last_seen_at: now,
    },
  ]);
  const rows = await db.query(`SELECT row_to_json(s)::text AS row FROM console_session s`);
  expect(JSON.stringify(rows)).not.toContain(id);
  expect(JSON.stringify(rows)).not.toContain(TEST_ADMIN_TOKEN);
});

it('honours a live session only: not a forged, closed or expired one', async () => {
  const now = new Date();
  const id = await sessions.open(undefined, now);
  expect(await sessions.isActive(id, now)).toBe(true);
  expect(await sessions.isActive(`${id.slice(0, -1)}${id.endsWith('A') ? 'B' : 'A'}`, now)).toBe(false);
  expect(await sessions.isActive(undefined, now)).toBe(false);
  expect(await sessions.isActive(sha256(id), now)).toBe(false);

  expect(await sessions.isActive(id, new Date(now.getTime() + SESSION_TTL_MS - 1))).toBe(true);
  expect(await sessions.isActive(id, new Date(now.getTime() + SESSION_TTL_MS))).toBe(false);

  await sessions.close(id);
  expect(await sessions.isActive(id, now)).toBe(false);
  expect(await db.query(`SELECT count(*)::int AS n FROM console_session`)).toEqual([{ n: 0 }]);
});

it('records the last use, at most once a minute', async () => {
  const start = new Date('2026-11-24T10:00:00Z');
  const id = await sessions.open(undefined, start);
  const lastSeen = async () => (await db.query(`SELECT last_seen_at FROM console_session`))[0].last_seen_at.toISOString();
  await sessions.isActive(id, new Date(start.getTime() + 30_000));
  expect(await lastSeen()).toBe(start.toISOString());
  await sessions.isActive(id, new Date(start.getTime() + 90_000));
  expect(await lastSeen()).toBe('2026-11-24T10:01:30.000Z');
});

it(`keeps at most ${MAX_SESSIONS} sessions, pushing out the oldest`, async () => {
  const start = Date.now();
  const ids: string[] = [];
  for (let i = 0; i <= MAX_SESSIONS; i++) ids.push(await sessions.open(undefined, new Date(start + i)));
  expect(await db.query(`SELECT count(*)::int AS n FROM console_session`)).toEqual([{ n: MAX_SESSIONS }]);
  expect(await sessions.isActive(ids[0], new Date(start + MAX_SESSIONS))).toBe(false);
  expect(await sessions.isActive(ids[1], new Date(start + MAX_SESSIONS))).toBe(true);
  expect(await sessions.isActive(ids[MAX_SESSIONS], new Date(start + MAX_SESSIONS))).toBe(true);
});

it('purges expired sessions in batches, and only those', async () => {
  const now = Date.now();
  const expired = [];
  for (let i = 0; i < 620; i++) expired.push(await sessions.open(undefined, new Date(now - SESSION_TTL_MS - 1000 - i)));
  const live = await sessions.open(undefined, new Date(now));
  expect(await t.app.get(ConsoleSessionPurgeService).purgeOnce(new Date(now))).toBe(620);
  expect(await db.query(`SELECT id_hash FROM console_session`)).toEqual([{ id_hash: sha256(live) }]);
  expect(await sessions.isActive(live, new Date(now))).toBe(true);
});

it('ends the sessions of an old ADMIN_TOKEN once the token is changed', async () => {
  const id = await sessions.open();
  const rotated = await createTestApp(database, { ADMIN_TOKEN: 'the-next-admin-token-9876543210' });
  try {
    expect(await rotated.app.get(ConsoleSessionsService).isActive(id)).toBe(false);
    expect(await sessions.isActive(id)).toBe(true);
  } finally {
    await rotated.close();
  }
});
