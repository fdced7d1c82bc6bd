import { DataSource } from 'typeorm';
import { DEFAULT_PRODUCTS, SampleOrder, sampleIpn, signForm } from '../../src/cli/sample-notification';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { REJECTION_SAMPLE, RecordRejectionService } from '../../src/modules/ipn/application/record-rejection.service';
import { RejectionRetentionService } from '../../src/modules/ipn/application/rejection-retention.service';
import { FormBody } from '../../src/modules/ipn/protocol';
import { TEST_SECRET_KEY, TestApp, createTestApp } from '../setup/create-test-app';
import { provisionTestDatabase } from '../setup/test-database';

/**
 * The IPN endpoints against hostile input, over real HTTP and PostgreSQL. Three apps:
 * - guarded: behind a trusted proxy (X-Forwarded-For honoured), senders allowlisted, 5 refusals a minute;
 * - direct: allowlisted senders but no trusted proxy, so X-Forwarded-For is ignored;
 * - open: anyone may post, behind a trusted proxy, 5 refusals a minute.
 */
const ALLOWED = '198.51.100.0/24,2001:db8::/32';
const apps: Record<'guarded' | 'direct' | 'open', { t: TestApp; db: DataSource; database: DatabaseEndpoint }> = {} as never;
let sequence = 0;

async function start(env: NodeJS.ProcessEnv) {
  const database = await provisionTestDatabase();
  const t = await createTestApp(database, env);
  return { t, db: t.app.get(DataSource), database };
}

beforeAll(async () => {
  apps.guarded = await start({ TRUST_PROXY: 'loopback', IPN_ALLOWED_IPS: ALLOWED, IPN_REFUSALS_PER_MINUTE: '5' });
  apps.direct = await start({ IPN_ALLOWED_IPS: ALLOWED });
  apps.open = await start({ TRUST_PROXY: 'loopback', IPN_REFUSALS_PER_MINUTE: '5' });
});

afterAll(async () => {
  for (const { t, database } of Object.values(apps)) {
    await t?.close();
    await database?.close();
  }
});

function order(overrides: Partial<SampleOrder> = {}): SampleOrder {
  sequence += 1;
  return {
    refNo: `9100${sequence}`,
    status: 'COMPLETE',
    email: `hardening${sequence}@example.com`,
    test: true,
    products: DEFAULT_PRODUCTS,
    messageId: `h-${sequence}`,
    ipnDate: '20261125100000',
    ...overrides,
  };
}

const signed = (form: FormBody = sampleIpn(order())) => signForm(form, ['sha256'], TEST_SECRET_KEY);
const forged = (form: FormBody = sampleIpn(order())) => signForm(form, ['sha256'], 'not-the-key');

/** A POST (or GET) as if from `from`, which the app believes only behind a trusted proxy. */
function send(app: keyof typeof apps, path: string, body?: string, from?: string): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (from) headers['x-forwarded-for'] = from;
  return fetch(`${apps[app].t.baseUrl}${path}`, { method: body === undefined ? 'GET' : 'POST', headers, body });
}

async function expectError(response: Response, status: number, code: string): Promise<string> {
  const text = await response.text();
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(text).not.toMatch(/<sig|<EPAYMENT>/);
  const error = JSON.parse(text);
  expect(error).toMatchObject({ statusCode: status, code });
  return error.message;
}

/** Refusals are written in the background: write what is queued before reading them. */
function flushed(app: keyof typeof apps): Promise<void> {
  return apps[app].t.app.get(RecordRejectionService).flush();
}

/** The rows recorded one by one for `address`, and any counter row of its alone. */
async function rejections(app: keyof typeof apps, address: string) {
  await flushed(app);
  return apps[app].db.query(
    `SELECT reason, detail, ref_no, sampled, count, body_bytes FROM ipn_rejection WHERE remote_address = $1 ORDER BY received_at`,
    [address],
  );
}

describe('bounded input: refused before the body is read, with a code that says why', () => {
  const from = '198.51.100.10';

  it('413 IPN_TOO_MANY_FIELDS past IPN_MAX_FIELDS (2,000), recorded', async () => {
    const body = Array.from({ length: 2001 }, (_, i) => `F${i}=x`).join('&');
    const message = await expectError(await send('guarded', '/ipn', body, from), 413, 'IPN_TOO_MANY_FIELDS');
    expect(message).toContain('IPN_MAX_FIELDS');
    expect(await rejections('guarded', from)).toContainEqual(expect.objectContaining({ reason: 'too_many_fields' }));
  });

  it('accepts 2,000 fields when they are authentic', async () => {
    const extra = Array.from({ length: 2000 - 120 }, (_, i): [string, string] => [`X${i}`, '1']);
    const form = new FormBody([...sampleIpn(order()).fields, ...FormBody.fromPairs(extra).fields]);
    const response = await send('guarded', '/ipn', signed(form), from);
    expect(response.status).toBe(200);
  });

  it('400 IPN_FIELD_NAME_TOO_LONG for a name over 128 bytes', async () => {
    const message = await expectError(await send('guarded', '/ipn', `${'N'.repeat(129)}=1&REFNO=1`, from), 400, 'IPN_FIELD_NAME_TOO_LONG');
    expect(message).toMatch(/longer than 128 bytes \(it starts "N{32}/);
  });

  it('400 IPN_MIXED_FIELD_FORMS for NAME and NAME[] in one body, naming the field', async () => {
    const message = await expectError(
      await send('guarded', '/ipn', 'IPN_PID[]=1&IPN_PID=1&IPN_PID[]=2', from),
      400,
      'IPN_MIXED_FIELD_FORMS',
    );
    expect(message).toContain('IPN_PID and IPN_PID[]');
  });

  it('400 IPN_LEGACY_INS for a post of the old INS protocol, saying what to configure instead', async () => {
    const ins =
      'message_type=ORDER_CREATED&message_description=New+order&vendor_id=1303908&sale_id=4893412&invoice_id=4893421&md5_hash=4F1C2D3E5A6B7C8D9E0F1A2B3C4D5E6F';
    const message = await expectError(await send('guarded', '/ipn', ins, from), 400, 'IPN_LEGACY_INS');
    expect(message).toMatch(/legacy 2Checkout INS post/);
    expect(message).toMatch(/IPN and LCN, which are HMAC-signed and answered with a read receipt/);
    expect(message).toMatch(/Control Panel, Integrations → Webhooks & API/);
    expect(message).not.toMatch(/signature/i);
    const [row] = (await rejections('guarded', from)).filter((r: { reason: string }) => r.reason === 'legacy_ins');
    expect(row.ref_no).toBe('4893412');
  });

  it('400 IPN_NOTIFICATION_MALFORMED for an authentic IPN with a NUL byte in a field name, recorded printably', async () => {
    const sample = order();
    const form = FormBody.fromPairs([
      ...sampleIpn(sample).fields.map((f): [string, string | string[]] => [f.name, f.isArray ? f.values.map(String) : String(f.values[0])]),
      ['NOTE\u0000X', 'v'],
    ]);
    const message = await expectError(await send('guarded', '/ipn', signed(form), from), 400, 'IPN_NOTIFICATION_MALFORMED');
    expect(message).toContain('NOTE\\x00X');
    await flushed('guarded');
    const [row] = await apps.guarded.db.query(`SELECT reason, detail FROM ipn_rejection WHERE ref_no = $1`, [sample.refNo]);
    expect(row).toMatchObject({ reason: 'malformed' });
    expect(row.detail).toContain('NOTE\\x00X contains a NUL byte');
    expect(await apps.guarded.db.query(`SELECT 1 FROM ipn_notification WHERE ref_no = $1`, [sample.refNo])).toHaveLength(0);
  });
});

describe('IPN_ALLOWED_IPS: senders outside the list get 403 and never a receipt', () => {
  it('honours X-Forwarded-For behind a trusted proxy (TRUST_PROXY): 403 for POST and GET, recorded', async () => {
    const from = '203.0.113.9';
    await expectError(await send('guarded', '/ipn', signed(), from), 403, 'IPN_SENDER_NOT_ALLOWED');
    const message = await expectError(await send('guarded', '/lcn', undefined, from), 403, 'IPN_SENDER_NOT_ALLOWED');
    expect(message).toContain('IPN_ALLOWED_IPS');
    expect((await rejections('guarded', from)).map((r: { reason: string }) => r.reason)).toEqual([
      'sender_not_allowed',
      'sender_not_allowed',
    ]);
  });

  it('lets allowed IPv4 and IPv6 senders in', async () => {
    for (const from of ['198.51.100.200', '2001:db8::5']) {
      expect((await send('guarded', '/ipn', signed(), from)).status).toBe(200);
      expect((await send('guarded', '/ipn/nobody', undefined, from)).status).toBe(404);
    }
    await expectError(await send('guarded', '/ipn', signed(), '2001:db9::5'), 403, 'IPN_SENDER_NOT_ALLOWED');
  });

  it('ignores X-Forwarded-For without TRUST_PROXY: the socket address (loopback) is not allowed', async () => {
    await expectError(await send('direct', '/ipn', signed(), '198.51.100.1'), 403, 'IPN_SENDER_NOT_ALLOWED');
    await expectError(await send('direct', '/ipn', undefined, '198.51.100.1'), 403, 'IPN_SENDER_NOT_ALLOWED');
    await flushed('direct');
    const rows = await apps.direct.db.query(`SELECT remote_address FROM ipn_rejection`);
    expect(rows.map((row: { remote_address: string }) => row.remote_address)).toEqual(['127.0.0.1', '127.0.0.1']);
  });
});

/** Refusals of `reason` counted in all (rows one by one and counter rows). */
async function refusalTotal(app: keyof typeof apps, reason = 'signature_invalid'): Promise<number> {
  await flushed(app);
  const [{ total }] = await apps[app].db.query(`SELECT coalesce(sum(count), 0)::int AS total FROM ipn_rejection WHERE reason = $1`, [
    reason,
  ]);
  return total;
}

describe('refusals are throttled per address, after the refusal: 429, only counted; authentic requests never', () => {
  it('answers 429 past IPN_REFUSALS_PER_MINUTE refusals, neither logged nor recorded one by one, yet counted', async () => {
    const from = '192.0.2.77';
    const before = await refusalTotal('open');
    for (let i = 0; i < 5; i++) await expectError(await send('open', '/ipn', forged(), from), 401, 'IPN_SIGNATURE_INVALID');
    const throttled = await send('open', '/ipn', forged(), from);
    expect(throttled.headers.get('retry-after')).toMatch(/^[1-6]?\d$/);
    const message = await expectError(throttled, 429, 'IPN_TOO_MANY_REFUSALS');
    expect(message).toMatch(/try again in \d+ s/);
    // Its authentic notifications and URL checks are heard all the same.
    expect((await send('open', '/ipn', signed(), from)).status).toBe(200);
    expect((await send('open', '/ipn', undefined, from)).status).toBe(200);
    for (let i = 0; i < 50; i++) await expectError(await send('open', '/ipn', forged(), from), 429, 'IPN_TOO_MANY_REFUSALS');
    expect((await rejections('open', from)).filter((row: { sampled: boolean }) => row.sampled)).toHaveLength(5);
    expect((await refusalTotal('open')) - before).toBe(56);
    // Another address is not concerned.
    await expectError(await send('open', '/ipn', forged(), '192.0.2.78'), 401, 'IPN_SIGNATURE_INVALID');
  });

  it('never counts authentic notifications', async () => {
    const from = '192.0.2.10';
    for (let i = 0; i < 12; i++) expect((await send('open', '/ipn', signed(), from)).status).toBe(200);
    for (let i = 0; i < 5; i++) await expectError(await send('open', '/ipn', forged(), from), 401, 'IPN_SIGNATURE_INVALID');
    await expectError(await send('open', '/ipn', forged(), from), 429, 'IPN_TOO_MANY_REFUSALS');
  });

  it('never throttles an allowlisted sender (2Checkout), however many of its requests are refused', async () => {
    const from = '198.51.100.20';
    for (let i = 0; i < 20; i++) await expectError(await send('guarded', '/ipn', forged(), from), 401, 'IPN_SIGNATURE_INVALID');
    expect((await send('guarded', '/ipn', signed(), from)).status).toBe(200);
  });

  it('throttles senders outside the allowlist like any other', async () => {
    const from = '203.0.113.77';
    for (let i = 0; i < 5; i++) await expectError(await send('guarded', '/ipn', signed(), from), 403, 'IPN_SENDER_NOT_ALLOWED');
    await expectError(await send('guarded', '/ipn', signed(), from), 429, 'IPN_TOO_MANY_REFUSALS');
  });
});

describe('refusals are recorded bounded', () => {
  it('10,000 forged requests from one address make a sample of rows and a counter, every text cut short', async () => {
    const from = '198.51.100.99'; // allowlisted, so never over its budget: every one is refused with its reason
    const hostile = FormBody.fromPairs([
      ['REFNO', `R${'\u0000é'.repeat(100)}`],
      ['A\u0000B', 'x'],
      ['IPN_PID', ['1']],
    ]);
    const body = forged(hostile);
    const before = await refusalTotal('guarded');
    const started = new Date();
    let next = 0;
    const statuses = new Map<number, number>();
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < 10_000) {
          next += 1;
          const response = await send('guarded', '/ipn', body, from);
          await response.arrayBuffer();
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        }
      }),
    );
    expect(Object.fromEntries(statuses)).toEqual({ 401: 10_000 });
    expect((await refusalTotal('guarded')) - before).toBe(10_000);

    // A sample per minute (the run may straddle a minute boundary) and one counter row per reason and minute.
    const sampled = (await rejections('guarded', from)).filter((row: { sampled: boolean }) => row.sampled);
    expect(sampled.length).toBeLessThanOrEqual(2 * REJECTION_SAMPLE);
    const counters = await apps.guarded.db.query(
      `SELECT reason, detail, ref_no, count FROM ipn_rejection WHERE NOT sampled AND received_at >= date_trunc('minute', $1::timestamptz)`,
      [started],
    );
    expect(counters.filter((row: { reason: string }) => row.reason === 'signature_invalid').length).toBeLessThanOrEqual(2);
    for (const row of [...sampled, ...counters]) {
      expect(row.detail.length).toBeLessThanOrEqual(300);
      expect(row.detail).not.toContain('\u0000');
      expect(row.ref_no?.length ?? 0).toBeLessThanOrEqual(64);
    }
    for (const row of sampled) {
      expect(row.ref_no).toMatch(/^R\\x00é\\x00é.*…$/);
      expect(row.body_bytes).toBe(Buffer.byteLength(body));
    }
  });

  it('trims rows older than REJECTION_RETENTION_DAYS (30) in batches, keeping the rest', async () => {
    const { db, t } = apps.open;
    await db.query(
      `INSERT INTO ipn_rejection (kind, listener, reason, detail, remote_address, body_bytes, received_at)
       SELECT 'ipn', 'default', 'signature_invalid', 'old', '192.0.2.1', 0, now() - interval '31 days' - i * interval '1 second'
       FROM generate_series(1, 1200) AS i`,
    );
    const [{ before }] = await db.query(`SELECT count(*)::int AS before FROM ipn_rejection`);
    expect(await t.app.get(RejectionRetentionService).trimOnce()).toBe(1200);
    const [{ after }] = await db.query(`SELECT count(*)::int AS after FROM ipn_rejection`);
    expect(after).toBe(before - 1200);
    expect(after).toBeGreaterThan(0);
  });
});

it('sends security headers (helmet) and no X-Powered-By', async () => {
  const response = await send('open', '/ipn');
  expect(response.status).toBe(200);
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
  expect(response.headers.get('strict-transport-security')).toMatch(/max-age=/);
  expect(response.headers.get('x-powered-by')).toBeNull();
});

it("answers a notification POST (receipted or refused) with its text and none of a browser page's headers", async () => {
  for (const [body, status] of [
    [signed(), 200],
    [forged(), 401],
  ] as const) {
    const response = await send('open', '/ipn', body);
    expect(response.status).toBe(status);
    if (status === 200) expect(await response.text()).toMatch(/^<sig algo="sha256" date="\d{14}">[0-9a-f]{64}<\/sig>$/);
    for (const header of [
      'content-security-policy',
      'strict-transport-security',
      'x-content-type-options',
      'x-frame-options',
      'x-powered-by',
    ]) {
      expect(response.headers.get(header)).toBeNull();
    }
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  }
  // Any other answer keeps them, a POST to another route included.
  const other = await fetch(`${apps.open.t.baseUrl}/api/orders/1`, { method: 'POST' });
  expect(other.headers.get('content-security-policy')).toContain("default-src 'self'");
});
