import { DynamicModule, Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { AppConfig } from '../../config/app.config';
import { AlertsService } from './alerts.service';
import { HealthController } from './health.controller';
import { loggerParams, rootLogger } from './logging';
import { MetricsController, MetricsTokenGuard } from './metrics.controller';
import { MetricsRegistry } from './metrics-registry';
import { MigrationsHealthIndicator } from './migrations.health';
import { AlertEpisodesRepository } from './persistence/alert-episodes.repository';
import { FigureCountsRepository } from './persistence/figure-counts.repository';
import { ROOT_LOGGER, RequestLog } from './request-log';
import { SharedFigures } from './shared-figures';

export interface ObservabilityOptions {
  /** Where log lines go instead of stdout (tests read them). */
  readonly logDestination?: DestinationStream;
}

/**
 * Seeing the service run: JSON logs (nestjs-pino), GET /metrics (prom-client), GET /health/live and
 * /health/ready (terminus), and the alerts evaluated from the metrics. Modules add their metrics to
 * MetricsRegistry, their alert probes to Alerts, and the counts an alert must see from every instance to
 * SharedFigures.
 */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(config: AppConfig, options: ObservabilityOptions = {}): DynamicModule {
    const root = rootLogger(config, options.logDestination);
    return {
      module: ObservabilityModule,
      imports: [LoggerModule.forRoot(loggerParams(root)), TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController, MetricsController],
      providers: [
        MetricsRegistry,
        AlertsService,
        AlertEpisodesRepository,
        SharedFigures,
        FigureCountsRepository,
        MigrationsHealthIndicator,
        MetricsTokenGuard,
        { provide: ROOT_LOGGER, useValue: root },
        RequestLog,
      ],
      exports: [MetricsRegistry, AlertsService, SharedFigures, RequestLog],
    };
  }
}
