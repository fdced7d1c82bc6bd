import { parseRetrySchedule } from './retry-schedule';

describe('parseRetrySchedule', () => {
  it('reads whole numbers with a unit, in order', () => {
    expect(parseRetrySchedule('V', '5s,5m,30m,2h,5h,10h,10h')).toEqual([
      5000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
    ]);
    expect(parseRetrySchedule('V', ' 200ms , 1d ')).toEqual([200, 86_400_000]);
  });

  it.each(['', '5', '5 s', '1.5s', '-5s', '5s,,5m', '5sec', '5S', '8d', 'soon', '5s;5m'])('refuses %j, naming the variable', (text) => {
    expect(() => parseRetrySchedule('WEBHOOK_RETRY_SCHEDULE', text)).toThrow(/^WEBHOOK_RETRY_SCHEDULE: /);
  });

  it('refuses more than 30 entries', () => {
    expect(() => parseRetrySchedule('V', Array(31).fill('1s').join(','))).toThrow(/at most 30/);
  });
});
