import { Logger } from '@nestjs/common';
import type { RejectionRepository, RejectionRow } from '../persistence/rejection.repository';
import { REJECTION_SAMPLE, RecordRejectionService, Rejection } from './record-rejection.service';

function fakeRepository() {
  const samples: RejectionRow[] = [];
  const counts: Array<{ row: RejectionRow; minute: Date; count: number }> = [];
  const repository = {
    insertSample: async (row: RejectionRow) => void samples.push(row),
    count: async (row: RejectionRow, minute: Date, count: number) => void counts.push({ row, minute, count }),
  } as unknown as RejectionRepository;
  return { repository, samples, counts };
}

const rejection = (overrides: Partial<Rejection> = {}): Rejection => ({
  kind: 'ipn',
  listener: 'default',
  reason: 'signature_invalid',
  detail: 'SIGNATURE_SHA2_256 does not match the body',
  remoteAddress: '203.0.113.5',
  refNo: '123',
  bodyBytes: 100,
  ...overrides,
});

const MINUTE = Date.UTC(2026, 10, 25, 12, 0);

describe('RecordRejectionService', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('keeps a sample per (address, reason, minute) and counts the rest in one row', async () => {
    const { repository, samples, counts } = fakeRepository();
    const service = new RecordRejectionService(repository);
    for (let i = 0; i < 1000; i++) await service.record(rejection({ bodyBytes: i }), MINUTE + i);
    await service.record(rejection({ reason: 'malformed' }), MINUTE + 5);
    await service.record(rejection({ remoteAddress: '203.0.113.6' }), MINUTE + 5);
    await service.flush();
    expect(samples).toHaveLength(REJECTION_SAMPLE + 2);
    expect(counts).toEqual([
      { row: expect.objectContaining({ bodyBytes: 999, refNo: '123' }), minute: new Date(MINUTE), count: 1000 - REJECTION_SAMPLE },
    ]);
  });

  it('starts a new sample every minute', async () => {
    const { repository, samples, counts } = fakeRepository();
    const service = new RecordRejectionService(repository);
    for (const minute of [MINUTE, MINUTE + 60_000]) {
      for (let i = 0; i < REJECTION_SAMPLE + 3; i++) await service.record(rejection(), minute + 1000);
    }
    await service.flush();
    expect(samples).toHaveLength(2 * REJECTION_SAMPLE);
    expect(counts.map(({ minute, count }) => [minute.getTime(), count])).toEqual([
      [MINUTE, 3],
      [MINUTE + 60_000, 3],
    ]);
  });

  it('cuts every text short and makes it printable, NUL bytes included', async () => {
    const { repository, samples } = fakeRepository();
    await new RecordRejectionService(repository).record(
      rejection({ refNo: `\u0000${'9'.repeat(500)}`, detail: 'x'.repeat(5000), listener: 'l'.repeat(100), remoteAddress: undefined }),
    );
    const [row] = samples;
    expect(row.refNo).toMatch(/^\\x009+…$/);
    expect(row.refNo!.length).toBe(64);
    expect(row.detail.length).toBe(300);
    expect(row.listener.length).toBe(64);
    expect(row.remoteAddress).toBe('unknown');
  });

  it('answers even when the database does not', async () => {
    const failing = {
      insertSample: async () => Promise.reject(new Error('down')),
      count: async () => Promise.reject(new Error('down')),
    } as unknown as RejectionRepository;
    const service = new RecordRejectionService(failing);
    for (let i = 0; i < REJECTION_SAMPLE + 2; i++) await expect(service.record(rejection(), MINUTE)).resolves.toBeUndefined();
    await expect(service.flush()).resolves.toBeUndefined();
  });
});
