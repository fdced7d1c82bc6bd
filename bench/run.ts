import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import autocannon from 'autocannon';
import { Client, Pool } from 'pg';
import { DEFAULT_PRODUCTS, sampleIpn, signForm } from '../src/cli/sample-notification';

/**
 * npm run bench [-- --duration 30 --concurrency 8,32,128 --soak]
 * Drives POST /ipn of the production build, the hand-written baseline listener, and the database's
 * own ceiling (single-row durable INSERTs through pg) with the same load, and prints the ratios.
 * Bodies are signed before the clock starts, so the load generator spends the run sending.
 */
const ROOT = resolve(__dirname, '..', '..');
const SECRET = 'bench-secret-key';
const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const STATUSES = ['COMPLETE', 'COMPLETE', 'PENDING', 'PAYMENT_AUTHORIZED'];

interface Options {
  duration: number;
  concurrency: number[];
  soak: boolean;
}

interface Measurement {
  target: string;
  concurrency: number;
  perSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  ok: number;
  drainMs?: number;
  /** Rows stored; at least `ok`: requests still in flight when the load stops are stored unanswered. */
  stored?: number;
}

function options(): Options {
  const args = process.argv.slice(2);
  const value = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i === -1 ? undefined : args[i + 1];
  };
  return {
    duration: Number(value('duration') ?? 30),
    concurrency: (value('concurrency') ?? '8,32,128').split(',').map(Number),
    soak: args.includes('--soak'),
  };
}

let bodies: string[] = [];
let sent = 0;

/** Distinct, correctly signed, realistic notifications (~2 KB, two products, a mix of statuses). */
function signBodies(count: number): string[] {
  const stamp = Date.now() % 1e6;
  return Array.from({ length: count }, (_, i) =>
    signForm(
      sampleIpn({
        refNo: `${stamp}${i}`,
        status: STATUSES[i % STATUSES.length],
        email: `bench-${i % 5000}@example.com`,
        test: true,
        products: DEFAULT_PRODUCTS,
        messageId: String(i),
        ipnDate: '20261124120000',
      }),
      ['sha3-256', 'sha256'],
      SECRET,
    ),
  );
}

/**
 * The next body. Each target starts over on a fresh database, so each sees distinct notifications
 * (the baseline, which keeps no unique key, may go round them again: it stores every copy).
 */
function nextBody(): string {
  return bodies[sent++ % bodies.length];
}

async function freshDatabase(label: string): Promise<string> {
  const name = `ipn_bench_${label}_${Date.now()}`;
  const client = new Client({ connectionString: SERVER_URL });
  await client.connect();
  await client.query(`CREATE DATABASE "${name}"`);
  await client.end();
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

const children = new Set<ChildProcess>();
process.on('exit', () => children.forEach((child) => child.kill('SIGKILL')));

async function start(script: string, env: Record<string, string>, readyUrl: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [script], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const exited = new Promise<never>((_, fail) => child.once('exit', (code) => fail(new Error(`${script} exited with ${code}`))));
  const ready = (async () => {
    for (;;) {
      const status = await fetch(readyUrl).then((response) => response.status, () => 0);
      if (status === 200) return;
      await new Promise((done) => setTimeout(done, 100));
    }
  })();
  await Promise.race([ready, exited]);
  return child;
}

async function load(url: string, concurrency: number, duration: number, fromFirstBody = true): Promise<autocannon.Result> {
  if (fromFirstBody) sent = 0;
  return autocannon({
    url,
    connections: concurrency,
    duration,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    requests: [{ setupRequest: (request) => ({ ...request, body: nextBody() }) }],
  });
}

function measurement(target: string, concurrency: number, result: autocannon.Result): Measurement {
  return {
    target,
    concurrency,
    perSecond: Math.round(result['2xx'] / result.duration),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx + result.errors + result.timeouts,
    ok: result['2xx'],
  };
}

async function waitForDrain(url: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const started = Date.now();
  for (;;) {
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM outbox_event WHERE status = 'pending'`);
    if (rows[0].n === 0) break;
    await new Promise((done) => setTimeout(done, 50));
  }
  await client.end();
  return Date.now() - started;
}

async function count(url: string, table: string, where = 'true'): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`);
  await client.end();
  return rows[0].n;
}

/** Both servers get the same pool size and key; the product otherwise runs on its defaults. */
function serverEnvironment(url: string, port: string): Record<string, string> {
  return { DATABASE_URL: url, PORT: port, IPN_SECRET_KEY: SECRET, DATABASE_POOL_SIZE: '20' };
}

interface Server {
  target: 'product' | 'baseline';
  script: string;
  port: string;
  path: string;
  /** Where the server stores each notification it receipts. */
  table: string;
}

const PRODUCT: Server = { target: 'product', script: 'dist/src/main.js', port: '3901', path: '/ipn', table: 'ipn_notification' };
/** Baseline (a): the hand-written listener. */
const BASELINE: Server = { target: 'baseline', script: 'dist/bench/baseline-listener.js', port: '3902', path: '/', table: 'baseline_ipn' };

async function benchServer(server: Server, concurrency: number, duration: number): Promise<Measurement> {
  const url = await freshDatabase(server.target);
  const address = `http://127.0.0.1:${server.port}${server.path}`;
  const child = await start(server.script, serverEnvironment(url, server.port), address);
  try {
    const result = measurement(server.target, concurrency, await load(address, concurrency, duration));
    if (server === PRODUCT) {
      if (sent > bodies.length) throw new Error(`the product was sent ${sent} requests, more than the ${bodies.length} distinct bodies`);
      result.drainMs = await waitForDrain(url);
    }
    result.stored = await count(url, server.table);
    return result;
  } finally {
    child.kill('SIGTERM');
  }
}

/** Baseline (b): single-row durable INSERT transactions through pg, `concurrency` at a time. */
async function benchCeiling(concurrency: number, duration: number): Promise<Measurement> {
  const url = await freshDatabase('ceiling');
  // PostgreSQL allows 100 connections by default; past that the ceiling is measured with queued clients.
  const pool = new Pool({ connectionString: url, max: Math.min(concurrency, 80) });
  await pool.query('CREATE TABLE ceiling (id bigserial PRIMARY KEY, body text)');
  const body = nextBody();
  const latencies: number[] = [];
  const deadline = Date.now() + duration * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline) {
        const started = process.hrtime.bigint();
        await pool.query('INSERT INTO ceiling (body) VALUES ($1)', [body]);
        latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
    }),
  );
  await pool.end();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(latencies[Math.floor(q * (latencies.length - 1))] * 100) / 100;
  return { target: 'db-ceiling', concurrency, perSecond: Math.round(latencies.length / duration), p50: at(0.5), p99: at(0.99), non2xx: 0, ok: latencies.length };
}

/** Five minutes at concurrency 32, sampled every 30 s: throughput and the service's RSS over time. */
async function soak(minutes: number): Promise<void> {
  const url = await freshDatabase('soak');
  const port = '3903';
  const app = await start(PRODUCT.script, serverEnvironment(url, port), `http://127.0.0.1:${port}/ipn`);
  const samples: Array<{ minute: number; perSecond: number; p99: number; rssMb: number; pendingEvents: number }> = [];
  let ok = 0;
  sent = 0;
  try {
    for (let i = 0; i < minutes * 2; i++) {
      const result = await load(`http://127.0.0.1:${port}/ipn`, 32, 30, false);
      ok += result['2xx'];
      const rssMb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${app.pid}/status`, 'utf8'))![1]) / 1024;
      const pendingEvents = await count(url, 'outbox_event', `status = 'pending'`);
      samples.push({ minute: (i + 1) / 2, perSecond: Math.round(result['2xx'] / result.duration), p99: result.latency.p99, rssMb: Math.round(rssMb), pendingEvents });
      const last = samples.at(-1)!;
      console.log(`soak ${last.minute} min: ${last.perSecond} rcpt/s, p99 ${last.p99} ms, RSS ${last.rssMb} MB, ${last.pendingEvents} events pending`);
    }
    if (sent > bodies.length) throw new Error(`the soak sent ${sent} requests, more than the ${bodies.length} distinct bodies`);
    const drainMs = await waitForDrain(url);
    const stored = await count(url, 'ipn_notification');
    const warm = samples.slice(1);
    const rates = warm.map((sample) => sample.perSecond);
    const rssGrowthAfterWarmup = (samples.at(-1)!.rssMb - warm[0].rssMb) / warm[0].rssMb;
    const throughputSpread = (Math.max(...rates) - Math.min(...rates)) / (rates.reduce((a, b) => a + b, 0) / rates.length);
    console.log(
      `After warm-up (first 30 s): throughput ${Math.min(...rates)}-${Math.max(...rates)} rcpt/s (spread ${(throughputSpread * 100).toFixed(1)}% of the mean), ` +
        `RSS growth ${(rssGrowthAfterWarmup * 100).toFixed(1)}%, drain ${drainMs} ms, stored ${stored} >= receipts ${ok}: ${stored >= ok}`,
    );
    save('soak', { samples, rssGrowthAfterWarmup, throughputSpread, drainMs, stored, receipts: ok });
  } finally {
    app.kill('SIGTERM');
  }
}

function save(kind: string, data: unknown): void {
  mkdirSync(resolve(ROOT, 'bench', 'results'), { recursive: true });
  const machine = { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version };
  const file = resolve(ROOT, 'bench', 'results', `${kind}-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.json`);
  writeFileSync(file, JSON.stringify({ machine, at: new Date().toISOString(), data }, null, 2));
  console.log(`Saved ${file}`);
}

async function main(): Promise<void> {
  const { duration, concurrency, soak: soakMode } = options();
  console.log('Signing the notifications...');
  bodies = signBodies(soakMode ? 250_000 : 120_000);
  if (soakMode) return soak(5);
  const rows: Measurement[][] = [];
  for (const c of concurrency) {
    const product = await benchServer(PRODUCT, c, duration);
    const baseline = await benchServer(BASELINE, c, duration);
    const ceiling = await benchCeiling(c, duration);
    rows.push([product, baseline, ceiling]);
  }
  console.log('\nconc | product rcpt/s p50/p99 ms (non-2xx, drain, nothing lost) | baseline rcpt/s p50/p99 | db ceiling tx/s p50/p99 | product/baseline thr, p99 | product/ceiling');
  for (const [product, baseline, ceiling] of rows) {
    console.log(
      `${product.concurrency} | ${product.perSecond} ${product.p50}/${product.p99} (${product.non2xx}, ${product.drainMs} ms, ${product.stored! >= product.ok}) | ` +
        `${baseline.perSecond} ${baseline.p50}/${baseline.p99} | ${ceiling.perSecond} ${ceiling.p50}/${ceiling.p99} | ` +
        `${(product.perSecond / baseline.perSecond).toFixed(2)}x, ${(product.p99 / baseline.p99).toFixed(2)}x | ${(product.perSecond / ceiling.perSecond).toFixed(2)}x`,
    );
  }
  save('bench', rows);
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error);
    process.exit(1);
  },
);
