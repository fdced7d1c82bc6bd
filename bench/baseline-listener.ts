import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { Pool } from 'pg';

/**
 * Baseline (a): what a user would write instead of adopting the product. A plain node:http listener
 * that verifies the SHA3-256 HMAC over the values in order, does one durable INSERT, and prints the
 * receipt. No framework, no order state, no events.
 */
const key = Buffer.from(process.env.IPN_SECRET_KEY ?? '', 'utf8');
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_SIZE ?? 20) });
const SIGNATURES = new Set(['HASH', 'SIGNATURE_SHA2_256', 'SIGNATURE_SHA3_256']);

const lp = (value: string): string => `${Buffer.byteLength(value)}${value}`;

const server = createServer((request, response) => {
  if (request.method === 'GET') {
    response.end('OK');
    return;
  }
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', async () => {
    const body = Buffer.concat(chunks).toString('latin1');
    const params = new URLSearchParams(body);
    let source = '';
    const first = new Map<string, string>();
    for (const [name, value] of params) {
      if (!first.has(name)) first.set(name, value);
      if (!SIGNATURES.has(name)) source += lp(value);
    }
    const expected = createHmac('sha3-256', key).update(source).digest();
    const received = Buffer.from(first.get('SIGNATURE_SHA3_256') ?? '', 'hex');
    if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
      response.writeHead(400).end('bad signature');
      return;
    }
    try {
      await pool.query('INSERT INTO baseline_ipn (ref_no, body) VALUES ($1, $2)', [first.get('REFNO'), body]);
    } catch {
      response.writeHead(503).end('db');
      return;
    }
    const date = new Date().toISOString().slice(0, 19).replace(/[-T:]/g, '');
    const receiptSource =
      lp(first.get('IPN_PID[]') ?? '') + lp(first.get('IPN_PNAME[]') ?? '') + lp(first.get('IPN_DATE') ?? '') + lp(date);
    const hash = createHmac('sha3-256', key).update(receiptSource).digest('hex');
    response.writeHead(200, { 'content-type': 'text/plain' }).end(`<sig algo="sha3-256" date="${date}">${hash}</sig>`);
  });
});

pool
  .query(
    'CREATE TABLE IF NOT EXISTS baseline_ipn (id bigserial PRIMARY KEY, ref_no text, body text, received_at timestamptz DEFAULT now())',
  )
  .then(() => server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('Listening on baseline')));
