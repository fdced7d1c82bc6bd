import { Logger } from '@nestjs/common';
import type { AppConfig } from '../../../config/app.config';
import type { CountedRejections, RejectionRepository, RejectionRow } from '../persistence/rejection.repository';
import { REJECTION_SAMPLE, RecordRejectionService, Rejection } from './record-rejection.service';

function fakeRepository() {
  const samples: RejectionRow[] = [];
  const counts: CountedRejections[] = [];
  const repository = {
    insertSamples: async (rows: RejectionRow[]) => void samples.push(...rows),
    addCounts: async (rows: CountedRejections[]) => void counts.push(...rows),
  } as unknown as RejectionRepository;
  return { repository, samples, counts };
}

const BUDGET = 100;
const config = (perMinute = BUDGET) =>
  ({ ipn: { refusalRecordsPerMinute: perMinute, refusalsPerMinute: 30, listeners: new Map([['default', {}]]) } }) as unknown as AppConfig;

const rejection = (overrides: Partial<Rejection> = {}): Rejection => ({
  kind: 'ipn',
  listener: 'default',
  reason: 'signature_invalid',
  detail: 'SIGNATURE_SHA2_256 does not match the body',
  remoteAddress: '203.0.113.5',
  sender: '203.0.113.5',
  refNo: '123',
  bodyBytes: 100,
  ...overrides,
});

/** The i-th /64 of 2001:db8:1::/48. */
const sender = (i: number): Partial<Rejection> => ({
  remoteAddress: `2001:db8:1:${i.toString(16)}::7`,
  sender: `2001:db8:1:${i.toString(16)}::/64`,
});

const MINUTE = Date.UTC(2026, 10, 25, 12, 0);
const total = (counts: CountedRejections[]) => counts.reduce((sum, count) => sum + count.count, 0);

describe('RecordRejectionService', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterEach(() => jest.restoreAllMocks());

  it('keeps a few rows per (sender, reason, minute) and counts the rest in one row per reason and minute', async () => {
    const { repository, samples, counts } = fakeRepository();
    const service = new RecordRejectionService(repository, config());
    for (let i = 0; i < 1000; i++) service.record(rejection({ bodyBytes: i }), true, MINUTE + i);
    service.record(rejection({ reason: 'malformed' }), true, MINUTE + 5);
    service.record(rejection(sender(1)), true, MINUTE + 5);
    await service.flush();
    expect(samples).toHaveLength(REJECTION_SAMPLE + 2);
    expect(samples[0].receivedAt).toEqual(new Date(MINUTE));
    expect(counts).toEqual([
      expect.objectContaining({
        reason: 'signature_invalid',
        minute: new Date(MINUTE),
        count: 1000 - REJECTION_SAMPLE,
        remoteAddress: '203.0.113.5',
        bodyBytes: 999,
        lastReceivedAt: new Date(MINUTE + 999),
      }),
    ]);
  });

  it('keeps at most IPN_REFUSAL_RECORDS_PER_MINUTE rows and log lines a minute, whatever the number of senders', async () => {
    const { repository, samples, counts } = fakeRepository();
    const warnings = jest.spyOn(Logger.prototype, 'warn');
    const service = new RecordRejectionService(repository, config());
    for (let i = 0; i < 4000; i++) service.record(rejection(sender(i)), true, MINUTE + i);
    for (let i = 0; i < 10; i++) service.record(rejection(sender(i)), true, MINUTE + 60_000 + i);
    await service.flush();
    expect(samples).toHaveLength(BUDGET + 10);
    expect(counts).toEqual([expect.objectContaining({ minute: new Date(MINUTE), count: 4000 - BUDGET, remoteAddress: null })]);
    // A line per row, and one saying that the rest are only counted.
    expect(warnings).toHaveBeenCalledTimes(BUDGET + 1 + 10);
  });

  it('only counts the refusals of a sender over its budget, and says so within the log budget', async () => {
    const { repository, samples, counts } = fakeRepository();
    const warnings = jest.spyOn(Logger.prototype, 'warn');
    const service = new RecordRejectionService(repository, config(3));
    expect(service.record(rejection(), false, MINUTE)).toBe(false);
    for (let i = 0; i < 10; i++) service.senderOverBudget(`192.0.2.${i}`, MINUTE);
    await service.flush();
    expect(samples).toEqual([]);
    expect(total(counts)).toBe(1);
    expect(warnings).toHaveBeenCalledTimes(3);
  });

  it('starts a new budget every minute', async () => {
    const { repository, samples, counts } = fakeRepository();
    const service = new RecordRejectionService(repository, config());
    for (const minute of [MINUTE, MINUTE + 60_000]) {
      for (let i = 0; i < REJECTION_SAMPLE + 3; i++) service.record(rejection(), true, minute + 1000);
    }
    await service.flush();
    expect(samples).toHaveLength(2 * REJECTION_SAMPLE);
    expect(counts.map(({ minute, count }) => [minute.getTime(), count])).toEqual([
      [MINUTE, 3],
      [MINUTE + 60_000, 3],
    ]);
  });

  it('counts per kind and configured listener: a URL cannot make counter rows', async () => {
    const { repository, counts } = fakeRepository();
    const service = new RecordRejectionService(repository, config(1));
    service.record(rejection(), true, MINUTE);
    for (let i = 0; i < 50; i++) service.record(rejection({ reason: 'sender_not_allowed', listener: `made-up-${i}` }), true, MINUTE);
    service.record(rejection({ kind: 'lcn' }), true, MINUTE);
    await service.flush();
    expect(counts.map(({ kind, listener, reason, count }) => [kind, listener, reason, count])).toEqual([
      ['ipn', 'unknown', 'sender_not_allowed', 50],
      ['lcn', 'default', 'signature_invalid', 1],
    ]);
  });

  it('cuts every text short and makes it printable, NUL bytes included', async () => {
    const { repository, samples } = fakeRepository();
    const service = new RecordRejectionService(repository, config());
    service.record(
      rejection({ refNo: `\u0000${'9'.repeat(500)}`, detail: 'x'.repeat(5000), listener: 'l'.repeat(100), remoteAddress: undefined }),
    );
    await service.flush();
    const [row] = samples;
    expect(row.refNo).toMatch(/^\\x009+…$/);
    expect(row.refNo!.length).toBe(64);
    expect(row.detail.length).toBe(300);
    expect(row.listener.length).toBe(64);
    expect(row.remoteAddress).toBe('unknown');
  });

  it('never waits for the database, and keeps the count of what it could not write for the next try', async () => {
    let release: () => void = () => undefined;
    let down = true;
    const { samples, counts } = fakeRepository();
    const repository = {
      // The first write hangs until released, then fails: the database is away.
      insertSamples: (rows: RejectionRow[]) =>
        down ? new Promise((_, reject) => (release = () => reject(new Error('down')))) : Promise.resolve(void samples.push(...rows)),
      addCounts: async (rows: CountedRejections[]) => void counts.push(...rows),
    } as unknown as RejectionRepository;
    const service = new RecordRejectionService(repository, config());
    for (let i = 0; i < REJECTION_SAMPLE + 2; i++) expect(typeof service.record(rejection(), true, MINUTE)).toBe('boolean');
    const flushed = service.flush();
    service.record(rejection(sender(1)), true, MINUTE); // while the write hangs
    expect(service.pending).toBe(1);
    release();
    await flushed;
    expect(service.pending).toBe(REJECTION_SAMPLE + 2 + 1);
    down = false;
    await service.flush();
    // The rows that could not be written were counted: the total is whole.
    expect(samples).toHaveLength(1);
    expect(total(counts)).toBe(REJECTION_SAMPLE + 2);
    expect(service.pending).toBe(0);
  });
});
