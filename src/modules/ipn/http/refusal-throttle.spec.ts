import type { AppConfig } from '../../../config/app.config';
import { CidrList } from '../../../config/cidr-list';
import { RefusalThrottle } from './refusal-throttle';

const throttle = (allowed?: string) =>
  new RefusalThrottle({
    ipn: { refusalsPerMinute: 3, allowedSenders: allowed ? CidrList.parse('IPN_ALLOWED_IPS', allowed) : undefined },
  } as unknown as AppConfig);

const T0 = Date.UTC(2026, 10, 25, 12, 0, 30);

describe('RefusalThrottle', () => {
  it('answers within budget for IPN_REFUSALS_PER_MINUTE refusals, then says when the budget is whole again', () => {
    const t = throttle();
    const counts = Array.from({ length: 6 }, (_, i) => t.refused('192.0.2.1', T0 + i * 10_000));
    expect(counts.map(({ retryAfter, crossed }) => [retryAfter, crossed])).toEqual([
      [0, false],
      [0, false],
      [0, false],
      [30, true],
      [20, false],
      [10, false],
    ]);
    // A minute after its first refusal, the sender starts afresh.
    expect(t.refused('192.0.2.1', T0 + 60_000).retryAfter).toBe(0);
  });

  it('counts IPv6 senders per /64, and IPv4-mapped addresses as IPv4', () => {
    const t = throttle();
    for (let i = 1; i <= 3; i++) t.refused(`2001:db8:1:2::${i}`, T0);
    expect(t.refused('2001:db8:1:2:ffff::9', T0)).toMatchObject({ sender: '2001:db8:1:2::/64', crossed: true });
    expect(t.refused('2001:db8:1:3::1', T0)).toMatchObject({ sender: '2001:db8:1:3::/64', retryAfter: 0 });
    for (let i = 0; i < 3; i++) t.refused('::ffff:192.0.2.9', T0);
    expect(t.refused('192.0.2.9', T0)).toMatchObject({ sender: '192.0.2.9', crossed: true });
  });

  it('never puts an allowlisted sender over budget', () => {
    const t = throttle('198.51.100.0/24');
    for (let i = 0; i < 100; i++) expect(t.refused('198.51.100.20', T0).retryAfter).toBe(0);
    expect(t.tracked).toBe(0);
  });

  it('tracks a bounded number of senders, forgetting those whose minute is over', () => {
    const t = throttle();
    for (let i = 0; i < 120_000; i++) t.refused(`2001:db8:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}::1`, T0);
    expect(t.tracked).toBe(100_000);
    // Untracked senders are answered within budget (RecordRejectionService still bounds their cost).
    expect(t.refused('2001:db8:ffff::1', T0).retryAfter).toBe(0);
    // A minute later the old windows make room.
    t.refused('192.0.2.1', T0 + 60_000);
    expect(t.tracked).toBe(1);
  });
});
