/**
 * Which events a reader wants: exact names (`order.completed`) and prefixes (`order.*`, `*` for all).
 * The one way event names are matched, by the feed, subscribers, webhook endpoints and the broker.
 */
export class EventFilter {
  static readonly ALL = new EventFilter(['*']);

  private readonly names: string[];
  private readonly prefixes: string[];
  private readonly all: boolean;

  constructor(patterns: readonly string[]) {
    this.all = patterns.includes('*');
    this.names = patterns.filter((pattern) => !pattern.endsWith('*'));
    this.prefixes = patterns.filter((pattern) => pattern.endsWith('*') && pattern !== '*').map((pattern) => pattern.slice(0, -1));
  }

  /** A pattern is a name of letters, digits, `_` and `.`, or such a prefix ending in `.*`, or `*`. */
  static isPattern(text: string): boolean {
    return text === '*' || /^[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?$/i.test(text);
  }

  matches(name: string): boolean {
    return this.all || this.names.includes(name) || this.prefixes.some((prefix) => name.startsWith(prefix));
  }

  /** A condition on `name` with its parameters numbered from `$first`. */
  toSql(first: number): { sql: string; parameters: unknown[] } {
    if (this.all) return { sql: 'true', parameters: [] };
    // LIKE patterns: the prefixes are names, whose characters have no LIKE meaning except `_`.
    const likes = this.prefixes.map((prefix) => `${prefix.replace(/_/g, '\\_')}%`);
    return { sql: `(name = ANY($${first}::text[]) OR name LIKE ANY($${first + 1}::text[]))`, parameters: [this.names, likes] };
  }
}
