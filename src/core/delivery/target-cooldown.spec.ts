import { TargetCooldown } from './target-cooldown';

describe('TargetCooldown', () => {
  let clock = 0;
  const cooldown = () => new TargetCooldown(() => clock);
  beforeEach(() => (clock = 1_000));

  it('rests a failing target, twice as long after each failure in a row, at most a minute', () => {
    const rests = cooldown();
    const lengths: number[] = [];
    for (let i = 0; i < 12; i++) {
      rests.failed('subscriber:a', 200);
      const start = clock;
      while (rests.resting('subscriber:a')) clock += 100;
      lengths.push(clock - start);
    }
    expect(lengths.slice(0, 4)).toEqual([200, 400, 800, 1600]);
    expect(lengths.at(-1)).toBe(60_000);
  });

  it('ends the rest at a success, and rests only the target that failed', () => {
    const rests = cooldown();
    rests.failed('subscriber:a', 500);
    expect(rests.resting('subscriber:a')).toBe(true);
    expect(rests.resting('subscriber:b')).toBe(false);
    rests.succeeded('subscriber:a');
    expect(rests.resting('subscriber:a')).toBe(false);
    rests.failed('subscriber:a', 500);
    clock += 499;
    expect(rests.resting('subscriber:a')).toBe(true);
    clock += 1;
    expect(rests.resting('subscriber:a')).toBe(false);
  });
});
