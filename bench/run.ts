import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import autocannon from 'autocannon';
import { Client, Pool } from 'pg';
import { DEFAULT_PRODUCTS, sampleIpn, signForm } from '../src/cli/sample-notification';

/**
 * npm run bench [-- --duration 10 --concurrency 8,32,128 --soak]
 * Drives POST /ipn of the production build, the hand-written baseline listener, and the database's
 * own ceiling (single-row durable INSERTs through pg) with the same load, and prints the ratios.
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
    duration: Number(value('duration') ?? 10),
    concurrency: (value('concurrency') ?? '8,32,128').split(',').map(Number),
    soak: args.includes('--soak'),
  };
}

let counter = 0;
/** A distinct, correctly signed, realistic notification (~2 KB, two products, a mix of statuses). */
function nextBody(): string {
  counter += 1;
  const refNo = `${Date.now() % 1e6}${counter}`;
  return signForm(
    sampleIpn({
      refNo,
      status: STATUSES[counter % STATUSES.length],
      email: `bench-${counter % 5000}@example.com`,
      test: true,
      products: DEFAULT_PRODUCTS,
      messageId: String(counter),
      ipnDate: '20261124120000',
    }),
    ['sha3-256', 'sha256'],
    SECRET,
  );
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

async function start(script: string, env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [script], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((done, fail) => {
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('Listening on')) done();
    });
    child.once('exit', (code) => fail(new Error(`${script} exited with ${code}`)));
  });
  return child;
}

async function load(url: string, concurrency: number, duration: number): Promise<autocannon.Result> {
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

async function count(url: string, table: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${table}`);
  await client.end();
  return rows[0].n;
}

async function benchProduct(concurrency: number, duration: number): Promise<Measurement> {
  const url = await freshDatabase('app');
  const port = '3901';
  const app = await start('dist/src/main.js', {
    DATABASE_URL: url, PORT: port, IPN_SECRET_KEY: SECRET, LOG_LEVEL: 'log', DATABASE_POOL_SIZE: '20',
  });
  try {
    const result = measurement('product', concurrency, await load(`http://127.0.0.1:${port}/ipn`, concurrency, duration));
    result.drainMs = await waitForDrain(url);
    result.stored = await count(url, 'ipn_notification');
    return result;
  } finally {
    app.kill('SIGTERM');
  }
}

async function benchBaseline(concurrency: number, duration: number): Promise<Measurement> {
  const url = await freshDatabase('baseline');
  const port = '3902';
  const listener = await start('dist/bench/baseline-listener.js', { DATABASE_URL: url, PORT: port, IPN_SECRET_KEY: SECRET, DATABASE_POOL_SIZE: '20' });
  try {
    const result = measurement('baseline', concurrency, await load(`http://127.0.0.1:${port}/`, concurrency, duration));
    result.stored = await count(url, 'baseline_ipn');
    return result;
  } finally {
    listener.kill('SIGTERM');
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

async function soak(minutes: number): Promise<void> {
  const url = await freshDatabase('soak');
  const port = '3903';
  const app = await start('dist/src/main.js', { DATABASE_URL: url, PORT: port, IPN_SECRET_KEY: SECRET, LOG_LEVEL: 'log', DATABASE_POOL_SIZE: '20' });
  const samples: Array<{ minute: number; perSecond: number; rssMb: number }> = [];
  try {
    for (let i = 0; i < minutes * 2; i++) {
      const result = await load(`http://127.0.0.1:${port}/ipn`, 32, 30);
      const rssMb = Number(/VmRSS:\s+(\d+)/.exec(require('node:fs').readFileSync(`/proc/${app.pid}/status`, 'utf8'))![1]) / 1024;
      samples.push({ minute: (i + 1) / 2, perSecond: Math.round(result['2xx'] / result.duration), rssMb: Math.round(rssMb) });
      console.log(`soak ${(i + 1) / 2} min: ${samples.at(-1)!.perSecond}/s, RSS ${samples.at(-1)!.rssMb} MB`);
    }
  } finally {
    app.kill('SIGTERM');
  }
  const warm = samples[1] ?? samples[0];
  const growth = (samples.at(-1)!.rssMb - warm.rssMb) / warm.rssMb;
  console.log(`RSS growth after warm-up: ${(growth * 100).toFixed(1)}%`);
  save('soak', { samples, rssGrowthAfterWarmup: growth });
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
  if (soakMode) return soak(5);
  const rows: Measurement[][] = [];
  for (const c of concurrency) {
    const product = await benchProduct(c, duration);
    const baseline = await benchBaseline(c, duration);
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
