import { readFileSync } from 'node:fs';
import { SECRET, bodiesSent, freshDatabase, load, restartBodies, save, scalar, signBodies, start, stop } from './harness';

const TABLES = ['outbox_event', 'ipn_notification', '"order"', 'order_status_history', 'entitlement', 'engagement'];

/**
 * The product at concurrency 32 (offering `rate` requests/s when given) for `minutes`, sampled every minute: receipts/s, p99, RSS, pending
 * events and table sizes. Delivered events are kept 2 minutes (EVENT_RETENTION=2m) so the soak shows
 * retention at work; the inbox, orders and what they grant are business records and grow with them.
 */
export async function soak(minutes: number, rate?: number): Promise<void> {
  console.log('Signing the notifications...');
  // Enough distinct bodies for the whole soak (~2 KB each: run with a larger heap for long soaks).
  signBodies(Math.ceil(minutes * 60 * (rate ?? 1500) * 1.1));
  const url = await freshDatabase('soak');
  const port = '3904';
  const app = await start(
    'dist/src/main.js',
    { DATABASE_URL: url, PORT: port, IPN_SECRET_KEY: SECRET, DATABASE_POOL_SIZE: '20', EVENT_RETENTION: '2m' },
    `http://127.0.0.1:${port}/ipn`,
  );
  restartBodies();
  const samples: Array<Record<string, number>> = [];
  let ok = 0;
  try {
    for (let minute = 1; minute <= minutes; minute++) {
      const result = await load(`http://127.0.0.1:${port}/ipn`, 32, 60, rate);
      ok += result['2xx'];
      const sample: Record<string, number> = {
        minute,
        receiptsPerSecond: Math.round(result['2xx'] / result.duration),
        p99: result.latency.p99,
        rssMb: Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${app.pid}/status`, 'utf8'))![1]) / 1024),
        pendingEvents: await scalar(url, `SELECT count(*) AS value FROM outbox_event WHERE status = 'pending'`),
      };
      for (const table of TABLES)
        sample[`${table.replace(/"/g, '')}Mb`] = await scalar(url, `SELECT pg_total_relation_size('${table}') / 1048576.0 AS value`);
      samples.push(sample);
      console.log(JSON.stringify(sample));
    }
    const { sent, distinct } = bodiesSent();
    if (sent > distinct) throw new Error(`the soak sent ${sent} requests, more than the ${distinct} distinct bodies`);
    const stored = await scalar(url, `SELECT count(*) AS value FROM ipn_notification`);
    const warm = samples.slice(1);
    const rates = warm.map((sample) => sample.receiptsPerSecond);
    const mean = rates.reduce((a, b) => a + b, 0) / rates.length;
    const summary = {
      throughputRange: [Math.min(...rates), Math.max(...rates)],
      worstDeviationFromMean: Math.max(...rates.map((rate) => Math.abs(rate - mean) / mean)),
      rssGrowthAfterWarmup: (samples.at(-1)!.rssMb - warm[0].rssMb) / warm[0].rssMb,
      outboxMb: [warm[0].outbox_eventMb, samples.at(-1)!.outbox_eventMb],
      stored,
      receipts: ok,
      lost: Math.max(0, ok - stored),
    };
    console.log(JSON.stringify(summary));
    save('soak', { samples, summary });
  } finally {
    await stop(app);
  }
}
