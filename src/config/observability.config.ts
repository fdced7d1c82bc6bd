import { ConfigurationError } from './configuration.error';
import type { Environment } from './environment';
import { Secret } from './secret';

/** Thresholds past which an alert is raised; undefined: that alert is off. */
export interface AlertThresholds {
  /** Share of notifications refused within the window (0..1). */
  readonly refusalRate: number | undefined;
  readonly deadLetters: number | undefined;
  readonly oldestPendingSeconds: number | undefined;
  readonly receiptP99Ms: number | undefined;
}

export interface ObservabilityConfig {
  /**
   * `pretty`: coloured lines for a terminal (pino-pretty); `json`: one JSON object a line. Unset
   * (LOG_FORMAT unset): pretty when standard output is a terminal, JSON otherwise (see prettyLogs).
   */
  readonly logFormat: 'json' | 'pretty' | undefined;
  /** Set: GET /metrics wants `Authorization: Bearer <METRICS_TOKEN>`. */
  readonly metricsToken: Secret | undefined;
  readonly alerts: AlertThresholds & {
    /** Set: each alert and recovery is also POSTed there, signed with `webhookSecret`. */
    readonly webhookUrl: Secret | undefined;
    readonly webhookSecret: Secret | undefined;
    /** How often thresholds are evaluated. */
    readonly intervalMs: number;
    /** Rates and latencies are measured over this trailing window. */
    readonly windowMs: number;
  };
}

const DEFAULTS = { refusalRate: '0.5', deadLetters: '1', oldestPendingSeconds: '300', receiptP99Ms: '2000' };

/** LOG_FORMAT, METRICS_TOKEN and the ALERT_* variables, already checked by their rules in Environment. */
export function observabilityConfig(env: Environment, parseDuration: (text: string) => number): ObservabilityConfig {
  if (env.ALERT_WEBHOOK_URL && !env.ALERT_WEBHOOK_SECRET) {
    throw new ConfigurationError('ALERT_WEBHOOK_SECRET', 'is required with ALERT_WEBHOOK_URL: the receiver checks the X-Signature with it');
  }
  return {
    logFormat: env.LOG_FORMAT,
    metricsToken: env.METRICS_TOKEN ? new Secret(env.METRICS_TOKEN) : undefined,
    alerts: {
      refusalRate: threshold(env.ALERT_REFUSAL_RATE ?? DEFAULTS.refusalRate),
      deadLetters: threshold(env.ALERT_DEAD_LETTERS ?? DEFAULTS.deadLetters),
      oldestPendingSeconds: threshold(env.ALERT_OLDEST_PENDING_SECONDS ?? DEFAULTS.oldestPendingSeconds),
      receiptP99Ms: threshold(env.ALERT_RECEIPT_P99_MS ?? DEFAULTS.receiptP99Ms),
      // The URL may carry a token (chat webhooks do): printed as [secret].
      webhookUrl: env.ALERT_WEBHOOK_URL ? new Secret(env.ALERT_WEBHOOK_URL) : undefined,
      webhookSecret: env.ALERT_WEBHOOK_SECRET ? new Secret(env.ALERT_WEBHOOK_SECRET) : undefined,
      intervalMs: env.ALERT_INTERVAL_MS ?? 5000,
      windowMs: parseDuration(env.ALERT_WINDOW ?? '5m'),
    },
  };
}

function threshold(text: string): number | undefined {
  return text === 'off' ? undefined : Number(text);
}
