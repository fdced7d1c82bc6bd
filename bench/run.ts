import type { ChildProcess } from 'node:child_process';
import type autocannon from 'autocannon';
import { postgresCpu, postmasterPid, processCpu } from './cpu';
import { SECRET, argument, bodiesSent, freshDatabase, load, restartBodies, save, scalar, signBodies, start, stop } from './harness';
import { channelsTarget } from './channels';
import { soak } from './soak';

/**
 * npm run bench [-- --duration 30 --concurrency 8,32 --product-only] | npm run bench -- --soak [--minutes 30 --rate 600]
 * npm run bench -- --with-subscriber --with-channels: the product against itself with one subscriber, and
 * with two webhook endpoints and the broker on (AMQP_URL, default the local RabbitMQ).
 * Drives the production build and two hand-written node:http baselines with the same pre-signed load,
 * each on a fresh database on the same server, and prints the ratios the targets name:
 * (a) a minimal listener (verify, one INSERT, receipt) for receipts/s and p99;
 * (b) a listener that does the whole job synchronously, one transaction per request, for fully
 *     processed notifications/s and CPU per notification.
 */
const PG_DATA = process.env.BENCH_PG_DATA ?? '/var/lib/postgresql/15/main';

interface Target {
  name: 'product' | 'listener' | 'full-job' | 'product+subscriber' | 'product+channels';
  script: string;
  port: string;
  path: string;
  /** The product's variants: settings of their own, and what is set up once it listens. */
  env?: Record<string, string>;
  setUp?: (baseUrl: string) => Promise<void>;
}

const PRODUCT: Target = { name: 'product', script: 'dist/src/main.js', port: '3901', path: '/ipn' };
const LISTENER: Target = { name: 'listener', script: 'dist/bench/baseline-listener.js', port: '3902', path: '/' };
const FULL_JOB: Target = { name: 'full-job', script: 'dist/bench/full-job-listener.js', port: '3903', path: '/' };
/** The product with one in-process subscriber (bench/product-with-subscriber.ts). */
const WITH_SUBSCRIBER: Target = { name: 'product+subscriber', script: 'dist/bench/product-with-subscriber.js', port: '3904', path: '/ipn' };
/** The product with two webhook endpoints and the broker on (bench/channels.ts). */
const WITH_CHANNELS: Target = { name: 'product+channels', script: 'dist/src/main.js', port: '3905', path: '/ipn', ...channelsTarget() };
const isProduct = (target: Target) => target.path === '/ipn';

interface Measurement {
  target: Target['name'];
  concurrency: number;
  receiptsPerSecond: number;
  p50: number;
  p99: number;
  failed: number;
  /** Notifications whose whole processing committed, per second, from the first request to the last commit. */
  processedPerSecond: number;
  /** Service + PostgreSQL CPU per fully processed notification. */
  cpuMsPerNotification: number;
  /** Product only: receipt to the order's effects committed, and the backlog left when the load stopped. */
  effectLatencyMs?: { p50: number; p99: number };
  backlog?: { pending: number; drainMs: number; perSecond: number };
  stored?: number;
  /** Receipted but not stored: must be 0. */
  lost?: number;
}

async function bench(target: Target, concurrency: number, duration: number): Promise<Measurement> {
  const url = await freshDatabase(target.name.replace('-', '_'));
  const address = `http://127.0.0.1:${target.port}${target.path}`;
  // The product on its defaults; all three with the same pool and key.
  const child = await start(
    target.script,
    { DATABASE_URL: url, PORT: target.port, IPN_SECRET_KEY: SECRET, DATABASE_POOL_SIZE: '20', ...target.env },
    address,
  );
  await target.setUp?.(`http://127.0.0.1:${target.port}`);
  const postmaster = postmasterPid(PG_DATA);
  restartBodies();
  const cpuBefore = processCpu(child.pid!) + postgresCpu(postmaster);
  try {
    const result = await load(address, concurrency, duration);
    const common = receipts(target, concurrency, result);
    if (!isProduct(target)) {
      const cpu = processCpu(child.pid!) + postgresCpu(postmaster) - cpuBefore;
      return { ...common, processedPerSecond: common.receiptsPerSecond, cpuMsPerNotification: round((cpu * 1000) / result['2xx']) };
    }
    return { ...common, ...(await afterDrain(url, child, postmaster, cpuBefore, result)) };
  } finally {
    await stop(child);
  }
}

function receipts(target: Target, concurrency: number, result: autocannon.Result) {
  return {
    target: target.name,
    concurrency,
    receiptsPerSecond: Math.round(result['2xx'] / result.duration),
    p50: result.latency.p50,
    p99: result.latency.p99,
    failed: result.non2xx + result.errors + result.timeouts,
  };
}

/** Waits for the outbox to drain, then reads what the product did from its own tables. */
async function afterDrain(url: string, child: ChildProcess, postmaster: number, cpuBefore: number, result: autocannon.Result) {
  const { sent, distinct } = bodiesSent();
  if (sent > distinct) throw new Error(`the product was sent ${sent} requests, more than the ${distinct} distinct bodies`);
  const pending = await scalar(url, `SELECT count(*) AS value FROM outbox_event WHERE status = 'pending'`);
  const drainStarted = Date.now();
  while ((await scalar(url, `SELECT count(*) AS value FROM outbox_event WHERE status <> 'delivered'`)) > 0) {
    await new Promise((done) => setTimeout(done, 50));
  }
  // Fully processed: also every delivery target (provisioning, subscribers, webhooks, the broker) caught up.
  while ((await scalar(url, DELIVERIES_BEHIND)) > 0) await new Promise((done) => setTimeout(done, 50));
  const drainMs = Date.now() - drainStarted;
  const cpu = processCpu(child.pid!) + postgresCpu(postmaster) - cpuBefore;
  const stored = await scalar(url, `SELECT count(*) AS value FROM ipn_notification`);
  const spanSeconds = await scalar(
    url,
    // To the last commit of the chain or of a delivery target (a webhook's 2xx, a broker's confirm, a
    // subscriber's commit), whichever came last: fully processed includes what the channels deliver.
    `SELECT extract(epoch FROM greatest(
        (SELECT max(delivered_at) FROM outbox_event WHERE name = 'ipn.received'),
        (SELECT max(updated_at) FROM delivery_target), (SELECT max(done_at) FROM delivery_item)) - min(received_at)) AS value
     FROM ipn_notification`,
  );
  const latency = (q: number) =>
    scalar(
      url,
      `SELECT percentile_cont(${q}) WITHIN GROUP (ORDER BY extract(epoch FROM e.delivered_at - n.received_at)) * 1000 AS value
       FROM outbox_event e JOIN ipn_notification n ON n.id = e.correlation_id WHERE e.name = 'ipn.received'`,
    );
  return {
    stored,
    processedPerSecond: Math.round(stored / spanSeconds),
    cpuMsPerNotification: round((cpu * 1000) / stored),
    effectLatencyMs: { p50: Math.round(await latency(0.5)), p99: Math.round(await latency(0.99)) },
    backlog: { pending, drainMs, perSecond: drainMs > 0 ? Math.round((pending * 1000) / drainMs) : 0 },
    lost: Math.max(0, result['2xx'] - stored),
  };
}

/** Delivery targets short of the log's head, and delivery items not yet delivered. */
const DELIVERIES_BEHIND = `SELECT (SELECT count(*) FROM delivery_target
                                   WHERE position < (SELECT coalesce(max(position), 0) FROM event_log))
                        + (SELECT count(*) FROM delivery_item WHERE status = 'pending') AS value`;

const round = (value: number): number => Math.round(value * 100) / 100;

/** A variant against the product measured beside it in the same run: the cost of what it adds. */
function reportVariant(product: Measurement, variant: Measurement): void {
  console.log(
    `  ${variant.target}: processed ${variant.processedPerSecond}/s vs ${product.processedPerSecond}/s ` +
      `(${(variant.processedPerSecond / product.processedPerSecond).toFixed(2)}x), CPU ${variant.cpuMsPerNotification} vs ` +
      `${product.cpuMsPerNotification} ms/notification (${(variant.cpuMsPerNotification / product.cpuMsPerNotification).toFixed(2)}x)`,
  );
}

function report(rows: Measurement[][]): void {
  for (const [product, listener, full] of rows) {
    console.log(`\nconcurrency ${product.concurrency}`);
    for (const m of [product, listener, full]) {
      console.log(
        `  ${m.target.padEnd(9)} ${String(m.receiptsPerSecond).padStart(6)} receipts/s  p50/p99 ${m.p50}/${m.p99} ms  failed ${m.failed}  ` +
          `processed ${m.processedPerSecond}/s  CPU ${m.cpuMsPerNotification} ms/notification` +
          (m.effectLatencyMs ? `  receipt->effects p50/p99 ${m.effectLatencyMs.p50}/${m.effectLatencyMs.p99} ms` : '') +
          (m.backlog ? `  backlog ${m.backlog.pending} drained in ${m.backlog.drainMs} ms (${m.backlog.perSecond}/s)` : ''),
      );
    }
    console.log(
      `  product / listener: receipts ${(product.receiptsPerSecond / listener.receiptsPerSecond).toFixed(2)}x (target >= 1.0x), ` +
        `p99 ${(product.p99 / listener.p99).toFixed(2)}x (target <= 1.5x)`,
    );
    console.log(
      `  product / full-job: fully processed ${(product.processedPerSecond / full.processedPerSecond).toFixed(2)}x (target >= 2.0x); ` +
        `CPU ${product.cpuMsPerNotification} ms vs ${full.cpuMsPerNotification} ms per notification (target <= 0.6 ms)`,
    );
  }
}

async function main(): Promise<void> {
  if (process.argv.includes('--soak'))
    return soak(Number(argument('minutes') ?? 30), argument('rate') ? Number(argument('rate')) : undefined);
  const duration = Number(argument('duration') ?? 30);
  const concurrency = (argument('concurrency') ?? '8,32').split(',').map(Number);
  console.log('Signing the notifications...');
  signBodies(150_000);
  const variants = [
    ...(process.argv.includes('--with-subscriber') ? [WITH_SUBSCRIBER] : []),
    ...(process.argv.includes('--with-channels') ? [WITH_CHANNELS] : []),
  ];
  if (variants.length > 0) {
    // Interleaved, the product first each time: the variants' cost against it, from one run.
    const results: Measurement[][] = [];
    for (const c of concurrency) {
      const row = [await bench(PRODUCT, c, duration)];
      for (const variant of variants) row.push(await bench(variant, c, duration));
      console.log(`\nconcurrency ${c}`);
      for (const variant of row.slice(1)) reportVariant(row[0], variant);
      results.push(row);
    }
    save('bench-variants', results);
    return;
  }
  if (process.argv.includes('--product-only')) {
    for (const c of concurrency) console.log(JSON.stringify(await bench(PRODUCT, c, duration)));
    return;
  }
  const rows: Measurement[][] = [];
  for (const c of concurrency)
    rows.push([await bench(PRODUCT, c, duration), await bench(LISTENER, c, duration), await bench(FULL_JOB, c, duration)]);
  report(rows);
  save('bench', rows);
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error);
    process.exit(1);
  },
);
