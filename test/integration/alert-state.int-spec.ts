import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AlertEpisodesRepository } from '../../src/core/observability/persistence/alert-episodes.repository';
import { FigureCountsRepository } from '../../src/core/observability/persistence/figure-counts.repository';
import { dataSourceOptions } from '../../src/database/data-source-options';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { runMigrations } from '../../src/database/run-migrations';
import { provisionTestDatabase } from '../setup/test-database';

/** The alert state the instances share, on the real schema. */

let database: DatabaseEndpoint;
let dataSource: DataSource;
let figures: FigureCountsRepository;
let episodes: AlertEpisodesRepository;

beforeAll(async () => {
  database = await provisionTestDatabase();
  await runMigrations(database.url);
  dataSource = await new DataSource(dataSourceOptions(database.url, 4)).initialize();
  figures = new FigureCountsRepository(dataSource);
  episodes = new AlertEpisodesRepository(dataSource);
});

afterAll(async () => {
  await dataSource?.destroy();
  await database?.close();
});

describe('figure counts', () => {
  const WINDOW_MS = 60_000;

  it('sums every instance’s counts within the window, and purges what is older as counts come in', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    // A flush from before the window, as an instance made it ten minutes ago.
    await dataSource.query(
      `INSERT INTO alert_figure_count (figure, at, instance, key, count) VALUES ('refusals', now() - interval '10 minutes', $1, 'total', 100)`,
      [a],
    );
    await figures.add(
      a,
      [
        { figure: 'refusals', key: 'total', count: 3 },
        { figure: 'refusals', key: 'refused', count: 2 },
        { figure: 'receipts', key: 'Infinity', count: 7 },
      ],
      WINDOW_MS,
    );
    await figures.add(b, [{ figure: 'refusals', key: 'total', count: 4 }], WINDOW_MS);
    const [{ old }] = await dataSource.query(`SELECT count(*)::int AS old FROM alert_figure_count WHERE at < now() - interval '1 minute'`);
    expect(old).toBe(0);
    // Not purged yet, but past the window: not counted.
    await dataSource.query(
      `INSERT INTO alert_figure_count (figure, at, instance, key, count) VALUES ('refusals', now() - interval '61 seconds', $1, 'total', 1000)`,
      [b],
    );

    expect(await figures.sum('refusals', WINDOW_MS)).toEqual(
      new Map([
        ['total', 7],
        ['refused', 2],
      ]),
    );
    expect(await figures.sum('receipts', WINDOW_MS)).toEqual(new Map([['Infinity', 7]]));
  });
});

describe('alert episodes', () => {
  it('opens an episode once and closes it once, whoever tries', async () => {
    const startedAt = '2026-11-24T10:00:00.123Z';
    expect(
      await Promise.all([episodes.begin('refusal_rate', startedAt), episodes.begin('refusal_rate', '2026-11-24T10:00:01.000Z')]),
    ).toEqual(expect.arrayContaining([true, false]));
    expect(await episodes.open()).toEqual(new Map([['refusal_rate', expect.any(String)]]));
    const [first, second] = await Promise.all([episodes.end('refusal_rate'), episodes.end('refusal_rate')]);
    expect([first, second].filter((value) => value !== undefined)).toHaveLength(1);
    expect(await episodes.open()).toEqual(new Map());
  });

  it('keeps when the episode began, to the millisecond', async () => {
    const startedAt = '2026-11-24T10:00:00.123Z';
    expect(await episodes.begin('receipt_p99', startedAt)).toBe(true);
    expect(await episodes.open()).toEqual(new Map([['receipt_p99', startedAt]]));
    expect(await episodes.end('receipt_p99')).toBe(startedAt);
    expect(await episodes.end('receipt_p99')).toBeUndefined();
  });
});
