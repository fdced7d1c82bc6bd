import type { AdminAuditLogService, AuditRecord } from '../../admin';
import { FailedSignInsService, SAMPLED_FAILURES_PER_MINUTE } from './failed-sign-ins.service';

/** The sampling and counting alone; the rows themselves are checked on PostgreSQL (console-security e2e). */
class LogStandIn {
  readonly records: AuditRecord[] = [];
  readonly counts: Array<{ minute: string; count: number }> = [];
  failCounts = false;

  async record(entry: AuditRecord): Promise<void> {
    this.records.push(entry);
  }

  async count(_entry: AuditRecord, minute: Date, count: number): Promise<void> {
    if (this.failCounts) throw new Error('database unreachable');
    this.counts.push({ minute: minute.toISOString(), count });
  }
}

const MINUTE = Date.parse('2026-11-24T10:00:00Z');

function failures() {
  const log = new LogStandIn();
  const recorder = new FailedSignInsService(log as unknown as AdminAuditLogService);
  jest.spyOn((recorder as unknown as { logger: { warn(): void; error(): void } }).logger, 'warn').mockImplementation(() => undefined);
  jest.spyOn((recorder as unknown as { logger: { warn(): void; error(): void } }).logger, 'error').mockImplementation(() => undefined);
  return { log, recorder };
}

afterEach(() => jest.restoreAllMocks());

describe('FailedSignIns', () => {
  it(`writes ${SAMPLED_FAILURES_PER_MINUTE} rows a minute whatever the senders, and counts the rest of that minute`, async () => {
    const { log, recorder } = failures();
    for (let i = 0; i < 500; i++) await recorder.record(`198.51.100.${i % 250}`, 'wrong token', MINUTE + i * 100);
    await recorder.flush();
    expect(log.records).toHaveLength(SAMPLED_FAILURES_PER_MINUTE);
    expect(log.records[0]).toEqual({
      tokenFingerprint: 'wrong-token',
      remoteAddress: '198.51.100.0',
      action: 'console.sign_in',
      target: 'console',
      outcome: 'rejected',
      detail: 'wrong token',
    });
    expect(log.counts).toEqual([{ minute: '2026-11-24T10:00:00.000Z', count: 500 - SAMPLED_FAILURES_PER_MINUTE }]);
  });

  it('samples again in the next minute, counting each minute apart', async () => {
    const { log, recorder } = failures();
    for (let i = 0; i < 30; i++) await recorder.record('192.0.2.1', 'wrong token', MINUTE + i);
    for (let i = 0; i < 25; i++) await recorder.record('192.0.2.1', 'wrong token', MINUTE + 60_000 + i);
    await recorder.flush();
    expect(log.records).toHaveLength(2 * SAMPLED_FAILURES_PER_MINUTE);
    expect(log.counts).toEqual([
      { minute: '2026-11-24T10:00:00.000Z', count: 10 },
      { minute: '2026-11-24T10:01:00.000Z', count: 5 },
    ]);
  });

  it('keeps the counts it could not write, and writes them with the next', async () => {
    const { log, recorder } = failures();
    for (let i = 0; i < SAMPLED_FAILURES_PER_MINUTE + 3; i++) await recorder.record('192.0.2.1', 'wrong token', MINUTE + i);
    log.failCounts = true;
    await recorder.flush();
    expect(log.counts).toEqual([]);
    for (let i = 0; i < 2; i++) await recorder.record('192.0.2.1', 'wrong token', MINUTE + 1000 + i);
    log.failCounts = false;
    await recorder.flush();
    expect(log.counts).toEqual([{ minute: '2026-11-24T10:00:00.000Z', count: 5 }]);
  });
});
