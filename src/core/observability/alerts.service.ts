import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../config/app.config';
import { AlertLeadership, alertLockKey } from './alert-leadership';
import type { AlertProbe } from './alert-probe';
import { AlertNotice, AlertWebhook } from './alert-webhook';
import { AlertEpisodesRepository } from './persistence/alert-episodes.repository';

/** A frozen or cut-off evaluator's locks go after this long at least (see AlertLeadership). */
const MIN_IDLE_SESSION_MS = 15_000;

/**
 * Evaluates the registered probes every ALERT_INTERVAL_MS, each alert in one instance at a time: the one
 * holding its advisory lock (AlertLeadership); the others keep trying for it at each interval. A probe
 * reaching its threshold raises one alert for the episode (an error-level log line, and a signed POST to
 * ALERT_WEBHOOK_URL when set); when it falls back below, one recovery notice. Episodes are kept in the
 * database, so an instance taking over an alert carries its episode on. A probe that cannot be read keeps
 * its state.
 */
@Injectable()
export class AlertsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Alerts');
  private readonly probes: Array<{ probe: AlertProbe; key: number }> = [];
  private readonly webhook: AlertWebhook | undefined;
  private readonly leadership: AlertLeadership;
  private leading: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private evaluating: Promise<AlertNotice[]> | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() dataSource: DataSource,
    private readonly episodes: AlertEpisodesRepository,
  ) {
    const { webhookUrl, webhookSecret, intervalMs } = config.observability.alerts;
    this.webhook = webhookUrl && webhookSecret ? new AlertWebhook(webhookUrl, webhookSecret) : undefined;
    const url = (dataSource.options as { url?: string }).url;
    if (!url) throw new Error('Alerts need the database URL of the DataSource');
    this.leadership = new AlertLeadership({
      url,
      ...config.database.timeouts,
      idleSessionMs: Math.max(3 * intervalMs, MIN_IDLE_SESSION_MS),
    });
  }

  /** Called by modules at init; probes whose threshold is off are left out. */
  register(probe: AlertProbe): void {
    if (probe.threshold === undefined) return;
    if (this.probes.some(({ probe: known }) => known.name === probe.name)) throw new Error(`Two alert probes are named "${probe.name}"`);
    const key = alertLockKey(probe.name);
    const twin = this.probes.find((known) => known.key === key);
    if (twin) throw new Error(`Alerts "${probe.name}" and "${twin.probe.name}" would share one lock: rename one`);
    this.probes.push({ probe, key });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.evaluate(), this.config.observability.alerts.intervalMs);
    this.timer.unref();
  }

  /** Before the pool closes: the evaluation in progress finishes, then the alerts are let go to the others. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.evaluating;
    await this.leadership.release();
    this.leading = [];
    await this.webhook?.drained();
  }

  /** Firing alerts now (whichever instance raised them): name, since when. */
  async active(): Promise<Array<{ alert: string; startedAt: string }>> {
    return [...(await this.episodes.open())].map(([alert, startedAt]) => ({ alert, startedAt }));
  }

  /** The alerts this instance evaluates, as of its last evaluation. */
  evaluatedHere(): string[] {
    return [...this.leading];
  }

  /** One evaluation of the probes this instance leads (the timer's; tests call it too); returns the notices it raised. */
  evaluate(now = Date.now()): Promise<AlertNotice[]> {
    this.evaluating ??= this.evaluateAll(now).finally(() => (this.evaluating = undefined));
    return this.evaluating;
  }

  private async evaluateAll(now: number): Promise<AlertNotice[]> {
    const probes = await this.claim();
    if (probes.length === 0) return [];
    const open = await this.episodes.open().catch((error: Error) => {
      this.logger.debug(`Alert episodes could not be read: ${error.message}`);
      return undefined;
    });
    if (!open) return [];
    const notices: AlertNotice[] = [];
    for (const probe of probes) {
      const value = await probe.read(now).catch((error: Error) => {
        this.logger.debug(`Alert probe ${probe.name} could not be read: ${error.message}`);
        return undefined;
      });
      if (value === undefined || probe.threshold === undefined) continue;
      const notice = await this.transition(probe, value, probe.threshold, new Date(now).toISOString(), open.get(probe.name)).catch(
        (error: Error) => {
          this.logger.debug(`Alert ${probe.name} not changed, will try again: ${error.message}`);
          return undefined;
        },
      );
      if (notice) notices.push(notice);
    }
    return notices;
  }

  /** The probes whose locks this instance holds now; says when that changes. */
  private async claim(): Promise<AlertProbe[]> {
    let held: ReadonlySet<number> = new Set();
    let why = 'its lock connection dropped, and another instance took them';
    try {
      held = await this.leadership.claim(this.probes.map(({ key }) => key));
    } catch (error) {
      why = `the database could not be reached (${(error as Error).message})`;
    }
    const probes = this.probes.filter(({ key }) => held.has(key)).map(({ probe }) => probe);
    const names = probes.map((probe) => probe.name);
    const gained = names.filter((name) => !this.leading.includes(name));
    const lost = this.leading.filter((name) => !names.includes(name));
    if (gained.length > 0) this.logger.log(`This instance evaluates the alerts ${gained.join(', ')}`);
    if (lost.length > 0) this.logger.warn(`This instance no longer evaluates the alerts ${lost.join(', ')}: ${why}`);
    this.leading = names;
    return probes;
  }

  /**
   * The notice, when the value moves the alert across its threshold and this instance's statement is the
   * one that opened or closed the episode in the database.
   */
  private async transition(
    probe: AlertProbe,
    value: number,
    threshold: number,
    at: string,
    openSince: string | undefined,
  ): Promise<AlertNotice | undefined> {
    const crossed = value >= threshold;
    if (crossed === (openSince !== undefined)) return undefined;
    let startedAt: string | undefined = at;
    if (crossed) {
      if (!(await this.episodes.begin(probe.name, at))) return undefined;
    } else {
      startedAt = await this.episodes.end(probe.name);
      if (startedAt === undefined) return undefined;
    }
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
    if (crossed) this.logger.error({ msg: `Alert ${probe.name}: ${notice.message}`, alert: notice });
    else this.logger.log({ msg: `Recovered ${probe.name}: ${notice.message}`, alert: notice });
    this.webhook?.send(notice);
    return notice;
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
