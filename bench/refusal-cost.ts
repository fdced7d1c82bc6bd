import autocannon from 'autocannon';
import { DEFAULT_PRODUCTS, sampleIpn, signForm } from '../src/cli/sample-notification';
import { FormBody } from '../src/modules/ipn/protocol';
import { postgresCpu, postmasterPid, processCpu } from './cpu';
import { SECRET, argument, freshDatabase, start, stop, withClient, SERVER_URL } from './harness';

/**
 * npx tsc -p tsconfig.build.json && node dist/bench/refusal-cost.js [--requests 400]
 * What a forged notification costs the service now that every body is read and its signature checked,
 * whoever sent it: the production build on its defaults (IPN_MAX_BODY 1 MB, IPN_MAX_FIELDS 2,000), on
 * 127.0.0.1, fed forged posts (signed with the wrong key) from one address by autocannon, its CPU read
 * from /proc before and after (idle CPU subtracted). Shapes: a typical 2 KB IPN, and 1 MB ones at the
 * body limit (one huge field; 1,900 fields of ~540 bytes). Approximate on a shared machine.
 */
const PORT = '3911';
const PG_DATA = process.env.BENCH_PG_DATA ?? '/var/lib/postgresql/15/main';
const MAX_BODY = 1024 * 1024;

function forged(extra: Array<[string, string]>): string {
  const order = {
    refNo: '88001',
    status: 'COMPLETE',
    email: 'forger@example.com',
    test: true,
    products: DEFAULT_PRODUCTS,
    messageId: '1',
    ipnDate: '20261125100000',
  };
  const form = new FormBody([...sampleIpn(order).fields, ...FormBody.fromPairs(extra).fields]);
  return signForm(form, ['sha3-256', 'sha256'], 'not-the-key');
}

/** The typical IPN grown to just under IPN_MAX_BODY by `fields` extra fields. */
function atTheLimit(fields: number): string {
  const base = Buffer.byteLength(forged([]));
  // Each extra field adds `&X<i>=` and its value; 2 KB spare for the signatures' difference.
  const per = Math.floor((MAX_BODY - base - 2048) / fields) - `&X${fields}=`.length;
  const body = forged(Array.from({ length: fields }, (_, i): [string, string] => [`X${i}`, 'x'.repeat(per)]));
  if (Buffer.byteLength(body) > MAX_BODY) throw new Error(`body of ${Buffer.byteLength(body)} bytes is over the limit`);
  return body;
}

async function measure(url: string, pid: number, postmaster: number, body: string, requests: number) {
  const idleStart = processCpu(pid);
  const idleMs = 2000;
  await new Promise((done) => setTimeout(done, idleMs));
  const idlePerMs = (processCpu(pid) - idleStart) / idleMs;
  const before = { service: processCpu(pid), postgres: postgresCpu(postmaster), at: Date.now() };
  const result = await autocannon({
    url,
    connections: 4,
    amount: requests,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  const wallMs = Date.now() - before.at;
  const service = processCpu(pid) - before.service - idlePerMs * wallMs;
  const postgres = postgresCpu(postmaster) - before.postgres;
  const statuses = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, (stats as { count: number }).count]),
  );
  return {
    bytes: Buffer.byteLength(body),
    requests: result.requests.total,
    statuses,
    serviceCpuUsPerRequest: Math.round((service * 1e6) / result.requests.total),
    postgresCpuUsPerRequest: Math.round((postgres * 1e6) / result.requests.total),
    requestsPerSecond: Math.round(result.requests.total / (wallMs / 1000)),
    p50Ms: result.latency.p50,
  };
}

async function main(): Promise<void> {
  const requests = Number(argument('requests') ?? 400);
  const database = await freshDatabase('refusal_cost');
  const url = `http://127.0.0.1:${PORT}/ipn`;
  const child = await start('dist/src/main.js', { DATABASE_URL: database, PORT, IPN_SECRET_KEY: SECRET }, url);
  const postmaster = postmasterPid(PG_DATA);
  try {
    const shapes: Array<[string, string, number]> = [
      ['typical IPN, 2 KB', forged([]), requests * 10],
      ['1 MB: one huge field', atTheLimit(1), requests],
      ['1 MB: 1,900 fields', atTheLimit(1900), requests],
    ];
    for (const [name, body, amount] of shapes) {
      await measure(url, child.pid!, postmaster, body, Math.min(50, amount)); // warm up
      console.log(name, JSON.stringify(await measure(url, child.pid!, postmaster, body, amount)));
    }
  } finally {
    await stop(child);
    const name = new URL(database).pathname.slice(1);
    await withClient(SERVER_URL, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  }
}

void main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error);
    process.exit(1);
  },
);
