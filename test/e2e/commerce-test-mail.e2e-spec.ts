import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { TestApp, createTestApp } from '../setup/create-test-app';
import { provisionTestDatabase } from '../setup/test-database';
import { ScenarioRun } from './commerce-scenario';

/** An SMTP server nobody listens on: mailed messages stay pending, which is all these tests look at. */
const SMTP = { SMTP_URL: 'smtp://127.0.0.1:9', SMTP_TIMEOUT_MS: '200', OUTBOX_POLL_MS: '50' };

describe.each([
  { sendMail: 'false', testTransport: 'log', testDelivery: 'logged' },
  { sendMail: 'true', testTransport: 'smtp', testDelivery: expect.stringMatching(/pending|failed/) },
])('TEST_ORDERS_SEND_MAIL=$sendMail', ({ sendMail, testTransport, testDelivery }) => {
  let database: DatabaseEndpoint;
  let t: TestApp;
  beforeAll(async () => {
    database = await provisionTestDatabase();
    t = await createTestApp(database, { ...SMTP, TEST_ORDERS_SEND_MAIL: sendMail });
  });
  afterAll(async () => {
    await t?.close();
    await database?.close();
  });

  it(`sends a TEST order's messages through ${testTransport}, a real order's through SMTP`, async () => {
    const test = new ScenarioRun(t, 'past-due');
    await test.send(1, 2);
    const messages = (await test.order(1)).engagements;
    expect(messages.length).toBeGreaterThan(0);
    for (const message of messages) expect(message).toMatchObject({ test: true, transport: testTransport, delivery: testDelivery });

    const real = new ScenarioRun(t, 'past-due', { live: true });
    await real.send(1, 2);
    const mailed = (await real.order(1)).engagements;
    expect(mailed.length).toBeGreaterThan(0);
    for (const message of mailed)
      expect(message).toMatchObject({ test: false, transport: 'smtp', delivery: expect.stringMatching(/pending|failed/) });
  });
});
