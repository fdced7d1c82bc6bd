import { Injectable } from '@nestjs/common';
import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The app's Prometheus registry (one per app, not prom-client's global one, so two apps in one
 * process never share counters), with Node's default metrics. Modules register their own metrics on
 * it; GET /metrics writes it out. Counters are bumped in process: a scrape costs no request anything.
 */
@Injectable()
export class MetricsRegistry extends Registry {
  constructor() {
    super();
    collectDefaultMetrics({ register: this });
  }
}
