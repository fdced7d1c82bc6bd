import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { DEFAULT_PRODUCTS, sampleIpn, signForm } from '../src/cli/sample-notification';

/** Shared by the benchmark and the soak: bodies, databases, child servers, load, results. */
export const ROOT = resolve(__dirname, '..', '..');
export const SECRET = 'bench-secret-key';
export const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const STATUSES = ['COMPLETE', 'COMPLETE', 'PENDING', 'PAYMENT_AUTHORIZED'];

let bodies: string[] = [];
let sent = 0;

/** Distinct, correctly signed, realistic notifications (~2 KB, two products, a mix of statuses), signed before any clock starts. */
export function signBodies(count: number): void {
  const stamp = Date.now() % 1e6;
  bodies = Array.from({ length: count }, (_, i) =>
    signForm(
      sampleIpn({
        refNo: `${stamp}${i}`,
        status: STATUSES[i % STATUSES.length],
        email: `bench-${i % 5000}@example.com`,
        test: true,
        // Each purchase its own licenses, as 2Checkout issues them (a renewal would reuse them).
        products: DEFAULT_PRODUCTS.map((product, line) => ({ ...product, licenseRef: `LIC-${stamp}${i}-${line + 1}` })),
        messageId: String(i),
        ipnDate: '20261124120000',
      }),
      ['sha3-256', 'sha256'],
      SECRET,
    ),
  );
}

/** Each target starts from the first body on its own fresh database: it sees distinct notifications. */
export function restartBodies(): void {
  sent = 0;
}

export function bodiesSent(): { sent: number; distinct: number } {
  return { sent, distinct: bodies.length };
}

export async function freshDatabase(label: string): Promise<string> {
  const name = `ipn_bench_${label}_${Date.now()}`;
  await withClient(SERVER_URL, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function scalar(url: string, sql: string): Promise<number> {
  return withClient(url, async (client) => Number((await client.query(sql)).rows[0].value));
}

const children = new Set<ChildProcess>();
process.on('exit', () => children.forEach((child) => child.kill('SIGKILL')));

/** Starts a server script (with node's `nodeArgs`, e.g. --cpu-prof) and waits until `readyUrl` answers 200. */
export async function start(
  script: string,
  env: Record<string, string>,
  readyUrl: string,
  nodeArgs: readonly string[] = [],
): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...nodeArgs, script], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const exited = new Promise<never>((_, fail) => child.once('exit', (code) => fail(new Error(`${script} exited with ${code}`))));
  const ready = (async () => {
    for (;;) {
      const status = await fetch(readyUrl).then(
        (response) => response.status,
        () => 0,
      );
      if (status === 200) return;
      await new Promise((done) => setTimeout(done, 100));
    }
  })();
  await Promise.race([ready, exited]);
  return child;
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  await exited;
}

/** `rate`: requests per second offered in all (unset: as fast as the connections go). */
export function load(url: string, concurrency: number, duration: number, rate?: number): Promise<autocannon.Result> {
  return autocannon({
    url,
    connections: concurrency,
    duration,
    ...(rate ? { overallRate: rate } : {}),
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    requests: [{ setupRequest: (request) => ({ ...request, body: bodies[sent++ % bodies.length] }) }],
  });
}

export function save(kind: string, data: unknown): void {
  mkdirSync(resolve(ROOT, 'bench', 'results'), { recursive: true });
  const machine = { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version };
  const file = resolve(ROOT, 'bench', 'results', `${kind}-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.json`);
  writeFileSync(file, JSON.stringify({ machine, at: new Date().toISOString(), data }, null, 2));
  console.log(`Saved ${file}`);
}

export function argument(name: string): string | undefined {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  return i === -1 ? undefined : args[i + 1];
}
