import { DataSource } from 'typeorm';
import { DEFAULT_PRODUCTS, SampleOrder, sampleIpn, sampleLcn, signForm } from '../../src/cli/sample-notification';
import { RecordRejectionService } from '../../src/modules/ipn/application/record-rejection.service';
import { FormBody } from '../../src/modules/ipn/protocol';
import { TEST_SECRET_KEY, TestApp, createTestApp, postForm } from '../setup/create-test-app';
import { expectedReceipt, receiptDateOf } from '../setup/independent-receipt';
import { provisionTestDatabase } from '../setup/test-database';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';

const EU_KEYS = { current: 'eu-key-2026', previous: 'eu-key-2025' };

let database: DatabaseEndpoint;
let t: TestApp;
let db: DataSource;
let sequence = 0;

function order(overrides: Partial<SampleOrder> = {}): SampleOrder {
  sequence += 1;
  return {
    refNo: `7000${sequence}`,
    status: 'COMPLETE',
    email: `buyer${sequence}@example.com`,
    test: true,
    products: DEFAULT_PRODUCTS,
    messageId: `m-${sequence}`,
    ipnDate: '20261124102959',
    ...overrides,
  };
}

function utcNowCompact(): number {
  return Number(new Date().toISOString().slice(0, 19).replace(/[-T:]/g, ''));
}

beforeAll(async () => {
  database = await provisionTestDatabase();
  t = await createTestApp(database, {
    IPN_ALGORITHMS: 'sha3-256,sha256,md5',
    IPN_MAX_BODY: '16kb',
    IPN_LISTENERS: JSON.stringify([{ name: 'eu', secretKeys: [EU_KEYS.current, EU_KEYS.previous], algorithms: ['sha256'] }]),
  });
  db = t.app.get(DataSource);
});

afterAll(async () => {
  await t?.close();
  await database?.close();
});

describe('GET: the URL check 2Checkout makes when the URL is saved', () => {
  it.each(['/ipn', '/lcn', '/ipn/eu', '/lcn/eu'])('%s answers 200', async (path) => {
    const response = await fetch(`${t.baseUrl}${path}`);
    expect(response.status).toBe(200);
  });

  it('answers 404 with a JSON error for an unknown listener', async () => {
    const response = await fetch(`${t.baseUrl}/ipn/nobody`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ statusCode: 404, code: 'IPN_UNKNOWN_LISTENER' });
  });
});

describe('POST /ipn: authentic notifications are stored, then receipted', () => {
  it.each(['md5', 'sha256', 'sha3-256'] as const)('verifies %s and answers with a receipt in that algorithm', async (algorithm) => {
    const sample = order();
    const before = utcNowCompact();
    const sent = signForm(sampleIpn(sample), [algorithm], TEST_SECRET_KEY);
    const response = await postForm(`${t.baseUrl}/ipn`, sent);
    const body = await response.text();

    expect(response.status).toBe(200);
    const date = receiptDateOf(body)!;
    expect(Number(date)).toBeGreaterThanOrEqual(before);
    expect(Number(date)).toBeLessThanOrEqual(utcNowCompact());
    const values = [DEFAULT_PRODUCTS[0].id, DEFAULT_PRODUCTS[0].name, sample.ipnDate];
    expect(body).toBe(expectedReceipt(algorithm, TEST_SECRET_KEY, values, date));

    const [row] = await db.query(
      `SELECT listener, algorithm, status, order_status, ipn_date, message_id, test_order, raw_body
       FROM ipn_notification WHERE ref_no = $1`,
      [sample.refNo],
    );
    expect(row).toMatchObject({
      listener: 'default',
      algorithm,
      status: 'accepted',
      order_status: 'COMPLETE',
      ipn_date: sample.ipnDate,
      message_id: sample.messageId,
      test_order: true,
    });
    expect(Buffer.from(row.raw_body).toString('latin1')).toBe(sent);
  });

  it('answers with the strongest algorithm when all three signatures are sent', async () => {
    const body = signForm(sampleIpn(order()), ['md5', 'sha256', 'sha3-256'], TEST_SECRET_KEY);
    expect(await (await postForm(`${t.baseUrl}/ipn`, body)).text()).toMatch(/^<sig algo="sha3-256" date="\d{14}">[0-9a-f]{64}<\/sig>$/);
  });

  it('accepts either key of a listener during a rotation and receipts with the key that signed', async () => {
    for (const key of [EU_KEYS.current, EU_KEYS.previous]) {
      const sample = order();
      const response = await postForm(`${t.baseUrl}/ipn/eu`, signForm(sampleIpn(sample), ['sha256'], key));
      const body = await response.text();
      expect(response.status).toBe(200);
      const values = [DEFAULT_PRODUCTS[0].id, DEFAULT_PRODUCTS[0].name, sample.ipnDate];
      expect(body).toBe(expectedReceipt('sha256', key, values, receiptDateOf(body)!));
      const [row] = await db.query(`SELECT listener FROM ipn_notification WHERE ref_no = $1`, [sample.refNo]);
      expect(row.listener).toBe('eu');
    }
  });

  it('receipts an LCN over LICENSE_CODE, EXPIRATION_DATE and DATE', async () => {
    const response = await postForm(`${t.baseUrl}/lcn`, signForm(sampleLcn('LIC-A', '2027-11-24'), ['sha3-256'], TEST_SECRET_KEY));
    const body = await response.text();
    expect(response.status).toBe(200);
    expect(body).toBe(expectedReceipt('sha3-256', TEST_SECRET_KEY, ['LIC-A', '2027-11-24'], receiptDateOf(body)!));
    const [row] = await db.query(`SELECT kind, license_code, test_order FROM ipn_notification WHERE license_code = 'LIC-A'`);
    expect(row).toEqual({ kind: 'lcn', license_code: 'LIC-A', test_order: true });
  });

  it('stores a re-delivered notification once and still receipts every copy, even when copies race', async () => {
    const sample = order();
    const body = signForm(sampleIpn(sample), ['sha256'], TEST_SECRET_KEY);
    const first = await postForm(`${t.baseUrl}/ipn`, body);
    const racing = await Promise.all(Array.from({ length: 6 }, () => postForm(`${t.baseUrl}/ipn`, body)));

    for (const response of [first, ...racing]) {
      expect(response.status).toBe(200);
      expect(await response.text()).toMatch(/^<sig algo="sha256"/);
    }
    const rows = await db.query(`SELECT delivery_count FROM ipn_notification WHERE ref_no = $1`, [sample.refNo]);
    expect(rows).toEqual([{ delivery_count: 7 }]);
  });

  it('stores a new sending of the same order event (new MESSAGE_ID and IPN_DATE) as a second message', async () => {
    const sample = order();
    await postForm(`${t.baseUrl}/ipn`, signForm(sampleIpn(sample), ['sha256'], TEST_SECRET_KEY));
    const resent = { ...sample, messageId: `${sample.messageId}-again`, ipnDate: '20261124113000' };
    await postForm(`${t.baseUrl}/ipn`, signForm(sampleIpn(resent), ['sha256'], TEST_SECRET_KEY));
    const [{ count }] = await db.query(`SELECT count(*)::int AS count FROM ipn_notification WHERE ref_no = $1`, [sample.refNo]);
    expect(count).toBe(2);
  });
});

describe('POST /ipn: bad input gets a clear JSON error, no receipt, and nothing processed', () => {
  async function expectError(response: Response, status: number, code: string): Promise<string> {
    const text = await response.text();
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(text).not.toMatch(/<sig|<EPAYMENT>/);
    const error = JSON.parse(text);
    expect(error).toMatchObject({ statusCode: status, code });
    expect(error.message.length).toBeGreaterThan(10);
    expect(text).not.toContain(TEST_SECRET_KEY);
    return error.message;
  }

  it('401 for a missing signature, recorded with reason and remote address', async () => {
    const sample = order();
    const message = await expectError(await postForm(`${t.baseUrl}/ipn`, sampleIpn(sample).encode()), 401, 'IPN_SIGNATURE_MISSING');
    expect(message).toContain('SIGNATURE_SHA3_256');
    await t.app.get(RecordRejectionService).flush(); // refusals are written in the background
    const rows = await db.query(`SELECT * FROM ipn_rejection WHERE ref_no = $1`, [sample.refNo]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'ipn', listener: 'default', reason: 'signature_missing' });
    expect(rows[0].remote_address).toMatch(/127\.0\.0\.1/);
    expect(JSON.stringify(rows)).not.toContain(TEST_SECRET_KEY);
    const stored = await db.query(`SELECT 1 FROM ipn_notification WHERE ref_no = $1`, [sample.refNo]);
    expect(stored).toHaveLength(0);
  });

  it('401 for a signature made with another key', async () => {
    const sample = order();
    await expectError(
      await postForm(`${t.baseUrl}/ipn`, signForm(sampleIpn(sample), ['sha3-256'], 'forger')),
      401,
      'IPN_SIGNATURE_INVALID',
    );
    await t.app.get(RecordRejectionService).flush();
    const [row] = await db.query(`SELECT reason FROM ipn_rejection WHERE ref_no = $1`, [sample.refNo]);
    expect(row.reason).toBe('signature_invalid');
  });

  it('401 when one signed value was altered on the way', async () => {
    const body = signForm(sampleIpn(order()), ['sha256'], TEST_SECRET_KEY).replace('IPN_QTY%5B%5D=1', 'IPN_QTY%5B%5D=9');
    await expectError(await postForm(`${t.baseUrl}/ipn`, body), 401, 'IPN_SIGNATURE_INVALID');
  });

  it('401 for an MD5-only notification on a listener that does not accept MD5', async () => {
    const body = signForm(sampleIpn(order()), ['md5'], EU_KEYS.current);
    const message = await expectError(await postForm(`${t.baseUrl}/ipn/eu`, body), 401, 'IPN_SIGNATURE_MISSING');
    expect(message).toContain('sha256');
  });

  it('404 for a POST to an unknown listener', async () => {
    await expectError(await postForm(`${t.baseUrl}/ipn/nobody`, 'A=1'), 404, 'IPN_UNKNOWN_LISTENER');
  });

  it.each(['application/json', 'text/plain', 'multipart/form-data; boundary=x'])('415 for a %s body', async (type) => {
    await expectError(await postForm(`${t.baseUrl}/ipn`, '{"REFNO":"1"}', type), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('413 for a body over IPN_MAX_BODY', async () => {
    const huge = FormBody.fromPairs([['IPN_INFO', ['x'.repeat(20 * 1024)]]]).encode();
    await expectError(await postForm(`${t.baseUrl}/ipn`, huge), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('400 for an authentic IPN without IPN_PNAME, stored as unprocessable', async () => {
    const sample = order();
    const fields = sampleIpn(sample).fields.filter((field) => field.name !== 'IPN_PNAME');
    const message = await expectError(
      await postForm(`${t.baseUrl}/ipn`, signForm(new FormBody(fields), ['sha256'], TEST_SECRET_KEY)),
      400,
      'IPN_NOTIFICATION_INCOMPLETE',
    );
    expect(message).toContain('IPN_PNAME');
    const [row] = await db.query(`SELECT status, problem FROM ipn_notification WHERE ref_no = $1`, [sample.refNo]);
    expect(row).toEqual({ status: 'unprocessable', problem: 'missing IPN_PNAME' });
  });

  it('400 for an authentic IPN holding a NUL byte, which cannot be stored: recorded as malformed', async () => {
    const sample = order({ email: 'nul\u0000@example.com' });
    const message = await expectError(
      await postForm(`${t.baseUrl}/ipn`, signForm(sampleIpn(sample), ['sha256'], TEST_SECRET_KEY)),
      400,
      'IPN_NOTIFICATION_MALFORMED',
    );
    expect(message).toContain('CUSTOMEREMAIL');
    await t.app.get(RecordRejectionService).flush();
    const [row] = await db.query(`SELECT reason FROM ipn_rejection WHERE ref_no = $1`, [sample.refNo]);
    expect(row.reason).toBe('malformed');
    expect(await db.query(`SELECT 1 FROM ipn_notification WHERE ref_no = $1`, [sample.refNo])).toHaveLength(0);
  });

  it('400 for an authentic LCN without EXPIRATION_DATE', async () => {
    const fields = sampleLcn('LIC-Z', '2027-01-01').fields.filter((field) => field.name !== 'EXPIRATION_DATE');
    await expectError(
      await postForm(`${t.baseUrl}/lcn`, signForm(new FormBody(fields), ['sha256'], TEST_SECRET_KEY)),
      400,
      'IPN_NOTIFICATION_INCOMPLETE',
    );
  });
});
