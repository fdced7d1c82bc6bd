import { ConfigurationError } from './configuration.error';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** Waits in a schedule, at most: beyond, a typo more likely than a wish. */
const MAX_ENTRIES = 30;
const MAX_WAIT_MS = 7 * 86_400_000;

/**
 * A comma-separated list of waits (`5s,5m,30m,2h`): each a whole number and a unit (ms, s, m, h, d),
 * nothing else; one retry per entry. A bad entry stops start-up, naming the variable and the entry.
 */
export function parseRetrySchedule(variable: string, text: string): number[] {
  const entries = text.split(',').map((entry) => entry.trim());
  if (entries.length > MAX_ENTRIES) throw new ConfigurationError(variable, `has ${entries.length} entries: at most ${MAX_ENTRIES}`);
  return entries.map((entry, index) => {
    const match = /^(\d{1,9})(ms|s|m|h|d)$/.exec(entry);
    if (!match) {
      throw new ConfigurationError(variable, `entry ${index + 1} ("${entry}") is not a duration such as 500ms, 5s, 5m, 2h or 1d`);
    }
    const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
    if (ms > MAX_WAIT_MS) throw new ConfigurationError(variable, `entry ${index + 1} ("${entry}") is longer than 7d`);
    return ms;
  });
}
