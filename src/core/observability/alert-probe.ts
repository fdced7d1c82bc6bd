/**
 * One condition an operator wants to hear about. Modules register theirs with `Alerts.register`;
 * the alerts service reads each every ALERT_INTERVAL_MS and compares it with its threshold.
 */
export interface AlertProbe {
  /** Stable name, used in the log line and the webhook (`dead_letters`). */
  readonly name: string;
  /** Undefined: the alert is off (its ALERT_* variable is `off`). */
  readonly threshold: number | undefined;
  /** What the value is, for people: `refused share of notifications over 5 min`. */
  readonly describe: string;
  readonly unit: string;
  /**
   * The current value, from the metrics; undefined when it cannot be told now (too few notifications
   * in the window, the database unreachable): the alert's state then stays as it is.
   */
  read(now: number): Promise<number | undefined>;
}
