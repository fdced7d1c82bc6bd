import { Logger } from '@nestjs/common';
import type { CountedRejections, RejectionRepository, RejectionRow } from '../persistence/rejection.repository';
import { RejectionWriter } from './rejection-writer';

const MINUTE = new Date(Date.UTC(2026, 10, 25, 12, 0));
const row = (overrides: Partial<RejectionRow> = {}): RejectionRow => ({
  kind: 'ipn',
  listener: 'default',
  reason: 'signature_invalid',
  detail: 'does not match',
  remoteAddress: '192.0.2.1',
  refNo: null,
  bodyBytes: 10,
  receivedAt: MINUTE,
  ...overrides,
});

function writer(repository: Partial<RejectionRepository>) {
  return new RejectionWriter(
    { insertSamples: async () => undefined, addCounts: async () => undefined, ...repository } as unknown as RejectionRepository,
    { delayMs: 60_000, retryMs: 60_000, maxSamples: 3, maxCounters: 2 },
  );
}

describe('RejectionWriter', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('queues a bounded number of rows, and merges counts of one key (its address null once several)', async () => {
    const counts: CountedRejections[] = [];
    const w = writer({ addCounts: async (rows: readonly CountedRejections[]) => void counts.push(...rows) });
    expect([1, 2, 3, 4].map(() => w.sample(row()))).toEqual([true, true, true, false]);
    w.count(row({ bodyBytes: 50 }), MINUTE);
    w.count(row({ remoteAddress: '192.0.2.2' }), MINUTE);
    await w.flush();
    expect(counts).toEqual([expect.objectContaining({ count: 2, remoteAddress: null, bodyBytes: 50 })]);
    expect(w.pending).toBe(0);
  });

  it('keeps at most maxCounters keys while the database is away', async () => {
    const w = writer({ insertSamples: async () => Promise.reject(new Error('down')) });
    for (const reason of ['signature_invalid', 'signature_missing', 'malformed'] as const) w.count(row({ reason }), MINUTE);
    expect(w.pending).toBe(2);
    await w.flush();
    expect(w.pending).toBe(2);
  });
});
