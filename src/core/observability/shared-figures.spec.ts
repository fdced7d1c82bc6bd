import { loadConfig } from '../../config/app.config';
import type { FigureCount, FigureCountsRepository } from './persistence/figure-counts.repository';
import { SharedFigures } from './shared-figures';

/** What a flush would write, and a switch to make the next writes fail like an unreachable database. */
class RecordingCounts {
  readonly flushes: FigureCount[][] = [];
  failing = false;

  async add(_instance: string, counts: readonly FigureCount[]): Promise<void> {
    if (this.failing) throw new Error('connection refused');
    this.flushes.push([...counts]);
  }
}

function figures(counts: RecordingCounts): SharedFigures {
  const config = loadConfig({ IPN_SECRET_KEY: 'spec-key', ALERT_INTERVAL_MS: '100' });
  return new SharedFigures(config, counts as unknown as FigureCountsRepository);
}

describe('SharedFigures', () => {
  it('writes what each figure counted since the last flush, and nothing when nothing changed', async () => {
    const counts = new RecordingCounts();
    const shared = figures(counts);
    let refusals = { total: 3, refused: 1 };
    const buckets = new Map([
      [0.1, 2],
      [Infinity, 2],
    ]);
    shared.share('refusals', () => refusals);
    shared.share('receipts', () => buckets);

    await shared.flush();
    refusals = { total: 5, refused: 1 };
    await shared.flush();
    await shared.flush();

    expect(counts.flushes).toEqual([
      [
        { figure: 'refusals', key: 'total', count: 3 },
        { figure: 'refusals', key: 'refused', count: 1 },
        { figure: 'receipts', key: '0.1', count: 2 },
        { figure: 'receipts', key: 'Infinity', count: 2 },
      ],
      [{ figure: 'refusals', key: 'total', count: 2 }],
    ]);
  });

  it('carries a failed flush into the next one: nothing counted is lost', async () => {
    const counts = new RecordingCounts();
    const shared = figures(counts);
    let total = 4;
    shared.share('refusals', () => ({ total }));
    await shared.flush();
    counts.failing = true;
    total = 6;
    await expect(shared.flush()).resolves.toBeUndefined();
    counts.failing = false;
    total = 9;
    await shared.flush();
    expect(counts.flushes).toEqual([[{ figure: 'refusals', key: 'total', count: 4 }], [{ figure: 'refusals', key: 'total', count: 5 }]]);
  });

  it('counts all of a counter that went back (reset) as new', async () => {
    const counts = new RecordingCounts();
    const shared = figures(counts);
    let total = 10;
    shared.share('refusals', () => ({ total }));
    await shared.flush();
    total = 3;
    await shared.flush();
    expect(counts.flushes.map((rows) => rows[0].count)).toEqual([10, 3]);
  });

  it('refuses two figures of one name', () => {
    const shared = figures(new RecordingCounts());
    shared.share('refusals', () => ({}));
    expect(() => shared.share('refusals', () => ({}))).toThrow('Two shared figures are named "refusals"');
  });
});
