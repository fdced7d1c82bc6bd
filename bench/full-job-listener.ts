import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { Pool, PoolClient } from 'pg';

/**
 * Baseline (b): the whole job done synchronously, as a user might write it without the product. A
 * plain node:http listener verifies the SHA3-256 HMAC, then in one transaction of plain statements
 * stores the notification, upserts the order, appends its history, finds or creates the account,
 * grants one entitlement per line and records the customer message; then it prints the receipt.
 */
const key = Buffer.from(process.env.IPN_SECRET_KEY ?? '', 'utf8');
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_SIZE ?? 20) });
const SIGNATURES = new Set(['HASH', 'SIGNATURE_SHA2_256', 'SIGNATURE_SHA3_256']);
const PAID = new Set(['PAYMENT_AUTHORIZED', 'PAYMENT_RECEIVED', 'COMPLETE']);

const lp = (value: string): string => `${Buffer.byteLength(value)}${value}`;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS full_inbox (id bigserial PRIMARY KEY, ref_no text, body text, received_at timestamptz DEFAULT now());
  CREATE TABLE IF NOT EXISTS full_order (ref_no text PRIMARY KEY, status text, email text, updated_at timestamptz DEFAULT now());
  CREATE TABLE IF NOT EXISTS full_history (id bigserial PRIMARY KEY, ref_no text, status text, at timestamptz DEFAULT now());
  CREATE TABLE IF NOT EXISTS full_account (id bigserial PRIMARY KEY, email text UNIQUE);
  CREATE TABLE IF NOT EXISTS full_entitlement (ref_no text, line_no int, product_id text, PRIMARY KEY (ref_no, line_no));
  CREATE TABLE IF NOT EXISTS full_message (id bigserial PRIMARY KEY, email text, subject text, at timestamptz DEFAULT now());`;

async function doTheWholeJob(client: PoolClient, fields: Map<string, string[]>, body: string): Promise<void> {
  const one = (name: string) => fields.get(name)?.[0] ?? null;
  const refNo = one('REFNO');
  const status = one('ORDERSTATUS') ?? '';
  const email = one('CUSTOMEREMAIL');
  await client.query('BEGIN');
  await client.query('INSERT INTO full_inbox (ref_no, body) VALUES ($1, $2)', [refNo, body]);
  await client.query(
    `INSERT INTO full_order (ref_no, status, email) VALUES ($1, $2, $3)
     ON CONFLICT (ref_no) DO UPDATE SET status = EXCLUDED.status, updated_at = now()`,
    [refNo, status, email],
  );
  await client.query('INSERT INTO full_history (ref_no, status) VALUES ($1, $2)', [refNo, status]);
  if (PAID.has(status) && email) {
    await client.query('INSERT INTO full_account (email) VALUES ($1) ON CONFLICT (email) DO NOTHING', [email]);
    if (status === 'COMPLETE') {
      const products = fields.get('IPN_PID[]') ?? [];
      await client.query(
        `INSERT INTO full_entitlement (ref_no, line_no, product_id) SELECT $1, ordinality, pid FROM unnest($2::text[]) WITH ORDINALITY AS p(pid)
         ON CONFLICT DO NOTHING`,
        [refNo, products],
      );
    }
    await client.query('INSERT INTO full_message (email, subject) VALUES ($1, $2)', [email, `Your order ${refNo}: ${status}`]);
  }
  await client.query('COMMIT');
}

const server = createServer((request, response) => {
  if (request.method === 'GET') {
    response.end('OK');
    return;
  }
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', async () => {
    const body = Buffer.concat(chunks).toString('latin1');
    let source = '';
    const fields = new Map<string, string[]>();
    for (const [name, value] of new URLSearchParams(body)) {
      fields.set(name, [...(fields.get(name) ?? []), value]);
      if (!SIGNATURES.has(name)) source += lp(value);
    }
    const expected = createHmac('sha3-256', key).update(source).digest();
    const received = Buffer.from(fields.get('SIGNATURE_SHA3_256')?.[0] ?? '', 'hex');
    if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
      response.writeHead(400).end('bad signature');
      return;
    }
    const client = await pool.connect();
    try {
      await doTheWholeJob(client, fields, body);
    } catch {
      await client.query('ROLLBACK').catch(() => undefined);
      response.writeHead(503).end('db');
      return;
    } finally {
      client.release();
    }
    const date = new Date().toISOString().slice(0, 19).replace(/[-T:]/g, '');
    const first = (name: string) => fields.get(name)?.[0] ?? '';
    const receiptSource = lp(first('IPN_PID[]')) + lp(first('IPN_PNAME[]')) + lp(first('IPN_DATE')) + lp(date);
    const hash = createHmac('sha3-256', key).update(receiptSource).digest('hex');
    response.writeHead(200, { 'content-type': 'text/plain' }).end(`<sig algo="sha3-256" date="${date}">${hash}</sig>`);
  });
});

pool.query(SCHEMA).then(() => server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('Listening on full-job baseline')));
