import { retryAfterMs } from './retry-after';

describe('retryAfterMs', () => {
  const now = Date.parse('2026-11-24T10:00:00Z');
  const cap = 86_400_000;

  it('reads whole seconds', () => {
    expect(retryAfterMs('120', now, cap)).toBe(120_000);
    expect(retryAfterMs(' 0 ', now, cap)).toBe(0);
  });

  it('reads an HTTP date, as the wait until it', () => {
    expect(retryAfterMs('Tue, 24 Nov 2026 10:00:30 GMT', now, cap)).toBe(30_000);
    expect(retryAfterMs('Tue, 24 Nov 2026 09:00:00 GMT', now, cap)).toBe(0);
  });

  it('is capped', () => {
    expect(retryAfterMs('99999999', now, cap)).toBe(cap);
  });

  it.each([undefined, '', 'soon', '-5', '1.5', '2026-11-24T10:00:30Z'])('ignores %j', (header) => {
    expect(retryAfterMs(header, now, cap)).toBeUndefined();
  });
});
