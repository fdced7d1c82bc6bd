import { DEFAULT_PRODUCTS, sampleIpn, signForm } from '../../src/cli/sample-notification';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { TEST_SECRET_KEY, TestApp, createTestApp, postForm } from '../setup/create-test-app';
import { TcpProxy } from '../setup/tcp-proxy';
import { provisionTestDatabase, withClient } from '../setup/test-database';

let database: DatabaseEndpoint;
let proxy: TcpProxy;
let t: TestApp;

function notification(refNo: string): string {
  const form = sampleIpn({
    refNo,
    status: 'COMPLETE',
    email: 'outage@example.com',
    test: true,
    products: DEFAULT_PRODUCTS,
    messageId: refNo,
    ipnDate: '20261124102959',
  });
  return signForm(form, ['sha3-256'], TEST_SECRET_KEY);
}

beforeAll(async () => {
  database = await provisionTestDatabase();
  proxy = TcpProxy.forUrl(database.url);
  await proxy.start();
  t = await createTestApp({ ...database, url: proxy.rewrite(database.url) });
});

afterAll(async () => {
  await t?.close();
  await proxy?.cut();
  await database?.close();
});

it('answers 503 without a receipt while the database is unreachable, then stores the retry', async () => {
  expect((await postForm(`${t.baseUrl}/ipn`, notification('900001'))).status).toBe(200);

  await proxy.cut();
  const during = await postForm(`${t.baseUrl}/ipn`, notification('900002'));
  const text = await during.text();
  expect(during.status).toBe(503);
  expect(text).not.toMatch(/<sig|<EPAYMENT>/);
  expect(JSON.parse(text)).toMatchObject({ statusCode: 503, code: 'DATABASE_UNAVAILABLE' });

  // The platform retries the same notification once the database is back.
  await proxy.resume();
  const retry = await postForm(`${t.baseUrl}/ipn`, notification('900002'));
  expect(retry.status).toBe(200);
  expect(await retry.text()).toMatch(/^<sig algo="sha3-256"/);

  const refNos = await withClient(database.url, async (client) =>
    (await client.query(`SELECT ref_no FROM ipn_notification ORDER BY ref_no`)).rows.map((row) => row.ref_no),
  );
  expect(refNos).toEqual(['900001', '900002']);
});
