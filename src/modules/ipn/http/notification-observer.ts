import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { Counter, Histogram } from 'prom-client';
import { APP_CONFIG, AppConfig } from '../../../config/app.config';
import { AlertsService, MetricsRegistry, RequestLog, SharedFigures } from '../../../core/observability';
import { MinuteBudget } from '../application/minute-budget';
import { NotificationKind, printable } from '../protocol';
import { notificationPostOf } from './notification-route';
import type { NotificationRequest } from './notification-signature.guard';

/**
 * What became of a notification POST: `receipted` (stored and answered with a receipt), `duplicate`
 * (stored before, receipted again), `incomplete` (authentic, stored as unprocessable, no receipt), a
 * refusal's reason (`signature_invalid`, `sender_not_allowed`, …), `too_many_refusals` (a refusal of a
 * sender over IPN_REFUSALS_PER_MINUTE), or the error code of an answer given before a refusal could
 * be decided (`payload_too_large`, `database_unavailable`, …).
 */
export type NotificationOutcome = string;

const RECEIPTED = new Set(['receipted', 'duplicate']);
/** Accepted for the refusal rate: everything that was not refused. */
const NOT_REFUSED = new Set(['receipted', 'duplicate', 'incomplete']);
/** Below this many notifications in the window, rates and latencies say nothing (and read as 0). */
const MIN_SAMPLE = 5;

/**
 * Watches every notification POST from its first byte (mounted before the body parser, so even a body
 * refused by the parser is seen) to the last byte of the answer, then counts it in
 * `ipn_notifications_total{kind,listener,outcome}`, times receipts in `ipn_receipt_duration_seconds`, and
 * writes one log line: request id, listener, REFNO, ORDERSTATUS, outcome, duration. A refusal's line is
 * written only when the refusal got its own row, and other 4xx answers get at most
 * IPN_REFUSAL_RECORDS_PER_MINUTE lines a minute: a forger cannot flood the log. In-process only: no
 * database work per request. Also gives the alerts their refusal rate and receipt p99, over every
 * instance's notifications (SharedFigures flushes these counters every few seconds).
 */
@Injectable()
export class NotificationObserver implements OnModuleInit {
  private readonly notifications: Counter<'kind' | 'listener' | 'outcome'>;
  private readonly receiptSeconds: Histogram<'kind'>;
  /** Lines for 4xx answers given before a refusal could be recorded (413, 415, 404, …). */
  private readonly unrecordedLines: MinuteBudget;

  constructor(
    registry: MetricsRegistry,
    private readonly alerts: AlertsService,
    private readonly figures: SharedFigures,
    private readonly log: RequestLog,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.unrecordedLines = new MinuteBudget(config.ipn.refusalRecordsPerMinute);
    this.notifications = new Counter({
      name: 'ipn_notifications_total',
      help: 'Notification POSTs by kind (ipn, lcn), listener and outcome (receipted, duplicate, incomplete, or why refused)',
      labelNames: ['kind', 'listener', 'outcome'],
      registers: [registry],
    });
    this.receiptSeconds = new Histogram({
      name: 'ipn_receipt_duration_seconds',
      help: 'From the first byte of a notification to the last byte of its receipt (receipted and duplicate)',
      labelNames: ['kind'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  }

  onModuleInit(): void {
    const { refusalRate, receiptP99Ms, windowMs } = this.config.observability.alerts;
    const window = `${Math.round(windowMs / 1000)} s`;
    const refusals = this.figures.share('ipn_refusals', () => this.refusalTotals());
    this.alerts.register({
      name: 'refusal_rate',
      threshold: refusalRate,
      describe: `The share of notifications refused over the last ${window}`,
      unit: '',
      read: async () => {
        const counts = await refusals.overWindow();
        const total = counts.get('total') ?? 0;
        return total < MIN_SAMPLE ? 0 : (counts.get('refused') ?? 0) / total;
      },
    });
    const receipts = this.figures.share('ipn_receipt_seconds', () => this.receiptBuckets());
    this.alerts.register({
      name: 'receipt_p99',
      threshold: receiptP99Ms,
      describe: `The 99th percentile of receipt times over the last ${window}`,
      unit: 'ms',
      read: async () => {
        const buckets = await receipts.overWindow();
        const seconds = quantile(
          0.99,
          [...buckets].map(([le, count]) => [Number(le), count]),
        );
        return seconds === undefined ? 0 : seconds * 1000;
      },
    });
  }

  /** Express middleware, mounted first (see createApp). */
  readonly middleware = (request: Request, response: Response, next: NextFunction): void => {
    const post = notificationPostOf(request);
    if (post) {
      const started = process.hrtime.bigint();
      response.once('finish', () => this.observe(request, response, post.kind, post.listener, started));
    }
    next();
  };

  private observe(
    request: NotificationRequest,
    response: Response,
    kind: NotificationKind,
    named: string | undefined,
    started: bigint,
  ): void {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const listener = this.listenerLabel(named);
    const outcome = outcomeOf(request, response);
    this.notifications.inc({ kind, listener, outcome });
    if (RECEIPTED.has(outcome)) this.receiptSeconds.observe({ kind }, seconds);
    if (!this.log.enabled || !this.lineDue(request, response)) return;
    const form = request.notification?.form;
    const field = (name: string): string | undefined => {
      const value = form?.first(name);
      return value === undefined ? undefined : printable(value, 64);
    };
    this.log.write(
      {
        context: 'Notifications',
        reqId: (request as Request & { id?: unknown }).id,
        kind,
        listener,
        refNo: field('REFNO') ?? (request.refusal?.refNo === undefined ? undefined : printable(request.refusal.refNo, 64)),
        orderStatus: field('ORDERSTATUS'),
        licenseCode: kind === 'lcn' ? field('LICENSE_CODE') : undefined,
        outcome,
        statusCode: response.statusCode,
        durationMs: Math.round(seconds * 10_000) / 10,
      },
      `${kind.toUpperCase()} ${outcome}`,
    );
  }

  /** Authentic notifications and 5xx always get their line; refusals only within their budgets. */
  private lineDue(request: NotificationRequest, response: Response): boolean {
    if (request.refusal) return request.refusal.recorded;
    if (request.outcome || response.statusCode < 400 || response.statusCode >= 500) return true;
    const now = Date.now();
    if (this.unrecordedLines.take(now)) return true;
    if (this.unrecordedLines.firstTimeOut(now)) {
      this.log.write(
        { context: 'Notifications' },
        `${this.config.ipn.refusalRecordsPerMinute} refused answers logged this minute (IPN_REFUSAL_RECORDS_PER_MINUTE): further ones are only counted in ipn_notifications_total`,
      );
    }
    return false;
  }

  /** Only configured names: a URL must not be able to create label values. */
  private listenerLabel(named: string | undefined): string {
    const name = named ? decodeURIComponentSafe(named) : 'default';
    return this.config.ipn.listeners.has(name) ? name : 'unknown';
  }

  private async refusalTotals(): Promise<{ total: number; refused: number }> {
    let total = 0;
    let refused = 0;
    for (const { value, labels } of (await this.notifications.get()).values) {
      total += value;
      if (!NOT_REFUSED.has(String(labels.outcome))) refused += value;
    }
    return { total, refused };
  }

  /** Cumulative counts per bucket upper bound (seconds), all kinds together. */
  private async receiptBuckets(): Promise<Map<number, number>> {
    const buckets = new Map<number, number>();
    for (const { value, labels, metricName } of (await this.receiptSeconds.get()).values) {
      if (metricName !== 'ipn_receipt_duration_seconds_bucket') continue;
      const bound = (labels as Record<string, string | number>).le;
      const le = bound === '+Inf' ? Infinity : Number(bound);
      buckets.set(le, (buckets.get(le) ?? 0) + value);
    }
    return buckets;
  }
}

/** What the request annotations and the answer say became of the notification. */
function outcomeOf(request: NotificationRequest, response: Response): NotificationOutcome {
  if (request.outcome) return request.outcome;
  if (request.refusal?.throttled) return 'too_many_refusals';
  if (request.refusal) return request.refusal.reason;
  const code = (response.locals as { errorCode?: string }).errorCode;
  if (code) return code.toLowerCase().replace(/^ipn_/, '');
  return `http_${response.statusCode}`;
}

/**
 * The q-quantile of cumulative histogram buckets ([upper bound, count]), interpolated linearly within
 * the bucket as Prometheus's histogram_quantile does; undefined under MIN_SAMPLE observations.
 */
export function quantile(q: number, buckets: Array<[number, number]>): number | undefined {
  const sorted = [...buckets].sort(([a], [b]) => a - b);
  const total = sorted.at(-1)?.[1] ?? 0;
  if (total < MIN_SAMPLE) return undefined;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const [le, count] of sorted) {
    if (count >= rank) {
      if (le === Infinity) return lower;
      return lower + ((le - lower) * (rank - below)) / Math.max(count - below, 1);
    }
    lower = le;
    below = count;
  }
  return lower;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
