import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app.config';
import type { AlertProbe } from './alert-probe';
import { AlertNotice, AlertWebhook } from './alert-webhook';

interface Episode {
  startedAt: string;
}

/**
 * Evaluates the registered probes every ALERT_INTERVAL_MS. A probe reaching its threshold raises one
 * alert for the episode (an error-level log line, and a signed POST to ALERT_WEBHOOK_URL when set);
 * when it falls back below, one recovery notice. A probe that cannot be read keeps its state.
 */
@Injectable()
export class Alerts implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Alerts');
  private readonly probes: AlertProbe[] = [];
  private readonly episodes = new Map<string, Episode>();
  private readonly webhook: AlertWebhook | undefined;
  private timer: NodeJS.Timeout | undefined;
  private evaluating: Promise<AlertNotice[]> | undefined;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    const { webhookUrl, webhookSecret } = config.observability.alerts;
    this.webhook = webhookUrl && webhookSecret ? new AlertWebhook(webhookUrl, webhookSecret) : undefined;
  }

  /** Called by modules at init; probes whose threshold is off are left out. */
  register(probe: AlertProbe): void {
    if (probe.threshold === undefined) return;
    if (this.probes.some((known) => known.name === probe.name)) throw new Error(`Two alert probes are named "${probe.name}"`);
    this.probes.push(probe);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.evaluate(), this.config.observability.alerts.intervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.evaluating;
    await this.webhook?.drained();
  }

  /** Firing alerts now: name, since when. */
  active(): Array<{ alert: string; startedAt: string }> {
    return [...this.episodes].map(([alert, { startedAt }]) => ({ alert, startedAt }));
  }

  /** One evaluation of every probe (the timer's; tests call it too); returns the notices it raised. */
  evaluate(now = Date.now()): Promise<AlertNotice[]> {
    this.evaluating ??= this.evaluateAll(now).finally(() => (this.evaluating = undefined));
    return this.evaluating;
  }

  private async evaluateAll(now: number): Promise<AlertNotice[]> {
    const notices: AlertNotice[] = [];
    for (const probe of this.probes) {
      const value = await probe.read(now).catch((error: Error) => {
        this.logger.debug(`Alert probe ${probe.name} could not be read: ${error.message}`);
        return undefined;
      });
      if (value === undefined || probe.threshold === undefined) continue;
      const notice = this.transition(probe, value, probe.threshold, new Date(now).toISOString());
      if (notice) notices.push(notice);
    }
    return notices;
  }

  private transition(probe: AlertProbe, value: number, threshold: number, at: string): AlertNotice | undefined {
    const episode = this.episodes.get(probe.name);
    const crossed = value >= threshold;
    if (crossed === (episode !== undefined)) return undefined;
    const startedAt = episode?.startedAt ?? at;
    const shown = `${round(value)} ${probe.unit}`;
    const notice: AlertNotice = {
      alert: probe.name,
      status: crossed ? 'firing' : 'resolved',
      value: round(value),
      threshold,
      unit: probe.unit,
      message: crossed
        ? `${probe.describe} is ${shown}, at or above the threshold of ${threshold}`
        : `${probe.describe} is back to ${shown}, below the threshold of ${threshold}`,
      startedAt,
      at,
    };
    if (crossed) {
      this.episodes.set(probe.name, { startedAt });
      this.logger.error({ msg: `Alert ${probe.name}: ${notice.message}`, alert: notice });
    } else {
      this.episodes.delete(probe.name);
      this.logger.log({ msg: `Recovered ${probe.name}: ${notice.message}`, alert: notice });
    }
    this.webhook?.send(notice);
    return notice;
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
