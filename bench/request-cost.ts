import { postgresCpu, postmasterPid, processCpu } from './cpu';
import { SECRET, argument, bodiesSent, freshDatabase, load, restartBodies, scalar, signBodies, start, stop } from './harness';

/**
 * npx tsc -p tsconfig.build.json && node dist/bench/request-cost.js [--duration 15 --concurrency 8 --cpu-prof DIR --relay]
 * What the request path alone costs: the production build with OUTBOX_RELAY=off (notifications verified,
 * stored with their received events and receipted; nothing processed) against the minimal listener
 * (bench/baseline-listener.ts), each on a fresh database, fed the bench's distinct signed notifications.
 * With --relay, the product processes what it stores as it goes (the whole service under load): it reports
 * how many were processed by the end of the load instead of CPU figures (the relay's work is not per receipt).
 * Service CPU per receipt from /proc, the idle rate subtracted. With --cpu-prof, the product runs under
 * node's CPU profiler and writes its profile into DIR when it stops (top self time: see docs/performance.md).
 */
const PG_DATA = process.env.BENCH_PG_DATA ?? '/var/lib/postgresql/15/main';

async function measure(name: string, script: string, port: string, path: string, env: Record<string, string>, nodeArgs: string[]) {
  const duration = Number(argument('duration') ?? 15);
  const concurrency = Number(argument('concurrency') ?? 8);
  const database = await freshDatabase(`request_${name}`);
  const url = `http://127.0.0.1:${port}${path}`;
  const child = await start(
    script,
    { DATABASE_URL: database, PORT: port, IPN_SECRET_KEY: SECRET, DATABASE_POOL_SIZE: '20', ...env },
    url,
    nodeArgs,
  );
  const postmaster = postmasterPid(PG_DATA);
  try {
    const idleStart = processCpu(child.pid!);
    await new Promise((done) => setTimeout(done, 2000));
    const idlePerSecond = (processCpu(child.pid!) - idleStart) / 2;
    restartBodies();
    const before = { service: processCpu(child.pid!), postgres: postgresCpu(postmaster) };
    const result = await load(url, concurrency, duration);
    const service = processCpu(child.pid!) - before.service - idlePerSecond * result.duration;
    const postgres = postgresCpu(postmaster) - before.postgres;
    const { sent, distinct } = bodiesSent();
    if (sent > distinct) throw new Error(`${sent} requests sent, more than the ${distinct} distinct bodies`);
    const receipts = result['2xx'];
    const relay = env.OUTBOX_RELAY !== 'off' && name === 'product';
    const cpu = relay
      ? {
          processedPerSecond: Math.round(
            (await scalar(database, `SELECT count(*) AS value FROM outbox_event WHERE status = 'delivered'`)) / result.duration,
          ),
        }
      : {
          serviceCpuMsPerReceipt: Math.round((service * 1e5) / receipts) / 100,
          postgresCpuMsPerReceipt: Math.round((postgres * 1e5) / receipts) / 100,
        };
    return {
      target: name,
      concurrency,
      receiptsPerSecond: Math.round(receipts / result.duration),
      p50: result.latency.p50,
      p99: result.latency.p99,
      failed: result.non2xx + result.errors + result.timeouts,
      ...cpu,
    };
  } finally {
    await stop(child);
  }
}

async function main(): Promise<void> {
  signBodies(100_000);
  const profile = argument('cpu-prof');
  const nodeArgs = profile ? ['--cpu-prof', '--cpu-prof-dir', profile] : [];
  console.log(
    JSON.stringify(
      await measure(
        'product',
        'dist/src/main.js',
        '3921',
        '/ipn',
        process.argv.includes('--relay') ? {} : { OUTBOX_RELAY: 'off' },
        nodeArgs,
      ),
    ),
  );
  if (!process.argv.includes('--product-only')) {
    console.log(JSON.stringify(await measure('listener', 'dist/bench/baseline-listener.js', '3922', '/', {}, [])));
  }
}

void main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error);
    process.exit(1);
  },
);
