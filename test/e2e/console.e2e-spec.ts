import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import type { Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { SampleOrder, sampleIpn, signForm } from '../../src/cli/sample-notification';
import { EventSubscriber, Subscriber } from '../../src/core/delivery';
import { Consumer, EventConsumer, EventOf } from '../../src/core/events';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { IpnReceivedEvent } from '../../src/modules/ipn';
import { OrderCompletedEvent } from '../../src/modules/orders';
import { RecordRejectionService } from '../../src/modules/ipn/application/record-rejection.service';
import { HeadlessChromium, findOrInstallChromium, launchChromium } from '../setup/chromium';
import { TEST_ADMIN_TOKEN, TEST_SECRET_KEY, TestApp, createTestApp, postForm } from '../setup/create-test-app';
import { adminCall, drained, newOrder, sendStatus } from '../setup/lifecycle';
import { provisionTestDatabase } from '../setup/test-database';
import { WebhookReceiver, verified } from '../setup/webhook-receiver';

/**
 * The web console in a real headless Chromium, over a real PostgreSQL. With CONSOLE_SCREENSHOTS set
 * to a folder (`npm run docs:screenshots`), the same flow also photographs each page into it.
 */
const browser = findOrInstallChromium();
if (browser.path === undefined) console.warn(`Skipping the console's browser test: ${browser.reason}`);
const describeInBrowser = browser.path === undefined ? describe.skip : describe;
const screenshots = process.env.CONSOLE_SCREENSHOTS;

/** A processing bug for some orders: their received event fails, and with one attempt, is dead at once. */
@Consumer('test.console-poison', IpnReceivedEvent)
class PoisonConsumer implements EventConsumer<IpnReceivedEvent> {
  static readonly refNos = new Set<string>();

  async handle(events: readonly IpnReceivedEvent[]): Promise<void> {
    const poisoned = events.find((event) => PoisonConsumer.refNos.has(event.orderRef ?? ''));
    if (poisoned) throw new Error(`cannot apply ${poisoned.orderRef}`);
  }
}

/** An integrator's subscriber with a bug for some orders: with one attempt, their item is dead at once. */
@Subscriber({ name: 'test.console-crm', from: 'beginning' }, OrderCompletedEvent)
class FlakyCrmSubscriber implements EventSubscriber<EventOf<typeof OrderCompletedEvent>> {
  static readonly refNos = new Set<string>();

  async handle(events: ReadonlyArray<EventOf<typeof OrderCompletedEvent>>): Promise<void> {
    const broken = events.find((event) => FlakyCrmSubscriber.refNos.has(event.orderRef ?? ''));
    if (broken) throw new Error(`the CRM cannot take ${broken.orderRef}`);
  }
}

@Module({ providers: [PoisonConsumer, FlakyCrmSubscriber] })
class PoisonModule {}

describeInBrowser('web console, in headless Chromium', () => {
  let database: DatabaseEndpoint;
  let t: TestApp;
  let db: DataSource;
  let chromium: HeadlessChromium;
  let page: Page;
  let receiver: WebhookReceiver;
  /** Script errors and CSP violations the pages reported, and answers other than 2xx/3xx to the browser. */
  const pageErrors: string[] = [];
  const failedResponses: string[] = [];
  const order = newOrder({ firstName: 'Ada', lastName: 'Lovelace' });
  const poisoned = newOrder();
  const undelivered = newOrder();

  const signed = (sample: SampleOrder, key = TEST_SECRET_KEY) => signForm(sampleIpn(sample), ['sha256'], key);
  const open = async (path: string, ready: string) => {
    await page.goto(`${t.baseUrl}${path}`);
    await page.getByText(ready).first().waitFor();
  };
  const main = () => page.locator('main').innerText();
  const shoot = async (name: string) => {
    if (!screenshots) return;
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
  };

  beforeAll(async () => {
    database = await provisionTestDatabase();
    receiver = await WebhookReceiver.start();
    t = await createTestApp(
      database,
      { OUTBOX_MAX_ATTEMPTS: '1', OUTBOX_POLL_MS: '20', OUTBOX_BACKOFF_MS: '20', WEBHOOK_ALLOW_PRIVATE: 'true' },
      [PoisonModule],
    );
    db = t.app.get(DataSource);

    for (const status of ['PENDING', 'PAYMENT_AUTHORIZED', 'COMPLETE']) await sendStatus(t, order, status);
    // The platform delivers one notification twice: stored once, counted twice.
    const repeated = signed({ ...order, status: 'COMPLETE', messageId: `${order.messageId}-again` });
    for (let i = 0; i < 2; i++) expect((await postForm(`${t.baseUrl}/ipn`, repeated)).status).toBe(200);
    // A late PENDING: recorded in the history, not applied.
    await sendStatus(t, order, 'PENDING');
    // Authentic but without product lines: stored as unprocessable.
    expect((await postForm(`${t.baseUrl}/ipn`, signed({ ...newOrder(), products: [] }))).status).toBe(400);
    // Forged twice, unsigned once: refused.
    for (let i = 0; i < 2; i++) expect((await postForm(`${t.baseUrl}/ipn`, signed(order, 'not-the-key'))).status).toBe(401);
    expect((await postForm(`${t.baseUrl}/ipn`, sampleIpn(order).encode())).status).toBe(401);
    await t.app.get(RecordRejectionService).flush(); // refusals are written in the background
    PoisonConsumer.refNos.add(poisoned.refNo);
    await sendStatus(t, poisoned, 'COMPLETE');
    FlakyCrmSubscriber.refNos.add(undelivered.refNo);
    await sendStatus(t, undelivered, 'COMPLETE');
    await drained(t);

    chromium = await launchChromium(browser.path!);
    page = await chromium.context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on(
      'console',
      (message) => message.type() === 'error' && !/^Failed to load resource/.test(message.text()) && pageErrors.push(message.text()),
    );
    page.on(
      'response',
      (response) => response.status() >= 400 && failedResponses.push(`${response.status()} ${new URL(response.url()).pathname}`),
    );
  });

  afterAll(async () => {
    await chromium?.close();
    await t?.close();
    await receiver?.close();
    await database?.close();
  });

  it('sends a visitor without a session to the login form, and refuses a wrong token', async () => {
    await open('/console/notifications', 'Admin token');
    expect(new URL(page.url()).pathname).toBe('/console/login');
    await shoot('login');
    await page.fill('#token', 'not-the-admin-token');
    const refused = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/console/login')), page.click('button[type=submit]')]);
    expect(refused[0].status()).toBe(401);
    await page.getByText('That is not the admin token.').waitFor();
    expect(await chromium.context.cookies()).toEqual([]);
    expect((await fetch(`${t.baseUrl}/console/api/notifications`)).status).toBe(401);
  });

  it('signs in with ADMIN_TOKEN: a session cookie, HttpOnly and SameSite=Strict, holding no token', async () => {
    await page.fill('#token', TEST_ADMIN_TOKEN);
    await Promise.all([page.waitForURL(`${t.baseUrl}/console`), page.click('button[type=submit]')]);
    const [cookie] = await chromium.context.cookies();
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', secure: false, path: '/console' });
    expect(cookie.value).not.toContain(TEST_ADMIN_TOKEN);
    expect(page.url()).not.toContain(TEST_ADMIN_TOKEN);
    // In the database as its SHA-256 only; the wrong token before it and this sign-in, in the audit log.
    const [{ stored }] = await db.query(`SELECT count(*)::int AS stored FROM console_session WHERE id_hash = encode(sha256($1), 'hex')`, [
      cookie.value,
    ]);
    expect(stored).toBe(1);
    expect(
      await db.query(
        `SELECT outcome, token_fingerprint = 'wrong-token' AS wrong FROM admin_audit WHERE action = 'console.sign_in' ORDER BY at`,
      ),
    ).toEqual([
      { outcome: 'rejected', wrong: true },
      { outcome: 'done', wrong: false },
    ]);
    await page.locator('svg.chart rect').first().waitFor();
    expect(await main()).toContain('Notifications per minute');
    await shoot('activity');
  });

  it('finds a notification by REFNO, with its outcome, receipt and duplicate deliveries', async () => {
    await open('/console/notifications', 'Received (UTC)');
    expect(await main()).toMatch(/refused\s+signature_invalid/);
    expect(await main()).toMatch(/unprocessable/);
    await page.fill('input[name=refNo]', order.refNo);
    await Promise.all([page.waitForURL(/refNo=/), page.click('form.filters button[type=submit]')]);
    await page.getByText('2×').waitFor();
    const rows = await page.locator('tbody tr').allInnerTexts();
    expect(rows.every((row) => row.includes(order.refNo) || row.includes('refused'))).toBe(true);
    expect(rows.filter((row) => row.includes('accepted') && row.includes('sent (sha256)'))).toHaveLength(5);
    await shoot('notifications');
  });

  it("opens the order's journey: notifications, state changes, events with their chain, messages", async () => {
    await Promise.all([
      page.waitForURL(`**/console/orders/${order.refNo}`),
      page.locator('tbody a', { hasText: order.refNo }).first().click(),
    ]);
    await page.getByText('Customer messages').waitFor();
    await page.locator('.events li').first().waitFor();
    const text = await main();
    expect(text).toContain(`Order ${order.refNo}`);
    expect(text).toMatch(/COMPLETE\s+APPROVED\s+\d+\s+applied/);
    expect(text).toMatch(/PENDING\s+APPROVED\s+\d+\s+recorded only/);
    expect(text).toContain('ipn.received');
    expect(text).toContain('order.completed');
    expect(text).toContain('fulfillment.granted');
    expect(text).toContain('order_confirmation');
    expect(await page.locator('.events > li .badge-delivered').count()).toBe(5);
    expect(await db.query(`SELECT target, outcome, detail FROM admin_audit WHERE action = 'order.read'`)).toEqual([
      { target: order.refNo, outcome: 'done', detail: 'console' },
    ]);
    await shoot('order-journey');
  });

  it('lists a dead letter and retries it once the fault is fixed', async () => {
    await open('/console/dead-letters', 'Last error');
    expect(await main()).toContain(`test.console-poison: cannot apply ${poisoned.refNo}`);
    await shoot('dead-letters');
    PoisonConsumer.refNos.delete(poisoned.refNo);
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.getByText('Queued again.').waitFor();
    await drained(t);
    const [event] = await db.query(`SELECT status FROM outbox_event WHERE payload->>'orderRef' = $1`, [poisoned.refNo]);
    expect(event.status).toBe('delivered');
    await open('/console/dead-letters', 'No dead letters.');
    // In the admin API's audit log, as a retry through /api would be.
    expect(await db.query(`SELECT action, outcome, detail FROM admin_audit WHERE action = 'event.retry'`)).toEqual([
      { action: 'event.retry', outcome: 'done', detail: 'console' },
    ]);
  });

  it('shows the delivery stage per channel, a dead item and its retry', async () => {
    const deadItems = async () =>
      (await db.query(`SELECT count(*)::int AS n FROM delivery_item WHERE target = 'subscriber:test.console-crm' AND status = 'dead'`))[0]
        .n;
    for (let tries = 0; (await deadItems()) === 0; tries++) {
      if (tries > 200) throw new Error('the CRM subscriber never gave up');
      await new Promise((done) => setTimeout(done, 50));
    }
    await open('/console/deliveries', 'Channels');
    const channels = await page.locator('section').first().innerText();
    expect(channels).toMatch(/subscriber\s+\d+\s+\d+\s+1/);
    await page.getByRole('link', { name: '1', exact: true }).click();
    await page.getByText(`the CRM cannot take ${undelivered.refNo}`).waitFor();
    expect(new URL(page.url()).search).toBe('?status=dead&channel=subscriber');
    expect(await main()).toContain('subscriber:test.console-crm');
    await shoot('deliveries');
    FlakyCrmSubscriber.refNos.delete(undelivered.refNo);
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.getByText('Queued again').waitFor();
    for (
      let tries = 0;
      (await db.query(`SELECT status FROM delivery_item WHERE target = 'subscriber:test.console-crm'`))[0].status !== 'done';
      tries++
    ) {
      if (tries > 200) throw new Error('the retried item was never delivered');
      await new Promise((done) => setTimeout(done, 50));
    }
    await open('/console/deliveries?status=dead', 'No items.');
    expect(await db.query(`SELECT action, outcome, detail FROM admin_audit WHERE action = 'delivery.retry'`)).toEqual([
      { action: 'delivery.retry', outcome: 'done', detail: 'console' },
    ]);
  });

  it('replays every notification received in a time range', async () => {
    const [range] = await db.query(
      `SELECT min(received_at) AS "from", max(received_at) AS "to", count(*) FILTER (WHERE status = 'accepted')::int AS accepted
       FROM ipn_notification`,
    );
    const utcField = (at: Date) => at.toISOString().slice(0, 19);
    await open('/console/replay', 'All notifications received in a time range');
    const [{ now: clicked }] = await db.query(`SELECT clock_timestamp() AS now`);
    await page.fill('input[name=from]', utcField(new Date(range.from.getTime() - 1000)));
    await page.fill('input[name=to]', utcField(new Date(range.to.getTime() + 1000)));
    await page.getByRole('button', { name: 'Replay range' }).click();
    await page.getByText(`Queued ${range.accepted} notifications`).waitFor();
    await shoot('replay');
    await drained(t);
    // (A retried dead letter goes back as a replay too, earlier: only those the range queued count here.)
    const [{ replays }] = await db.query(
      `SELECT count(*)::int AS replays FROM outbox_event WHERE (payload->'data'->>'replay')::boolean AND created_at >= $1`,
      [clicked],
    );
    expect(replays).toBe(range.accepted);
    const [audited] = await db.query(`SELECT outcome, detail FROM admin_audit WHERE action = 'ipn.messages.replay_range'`);
    expect(audited).toEqual({ outcome: 'done', detail: `console: ${range.accepted} replayed` });
  });

  it('counts refusals by reason over the last 24 hours', async () => {
    await open('/console/refusals', 'signature_invalid');
    const rows = await page.locator('tbody tr').allInnerTexts();
    expect(rows.map((row) => row.split('\t'))).toEqual([
      ['signature_invalid', '2'],
      ['signature_missing', '1'],
    ]);
    await shoot('refusals');
  });

  it("finds a customer's subscriptions, with the orders that carry them", async () => {
    await open(`/console/subscriptions?email=${encodeURIComponent(order.email)}`, 'License status');
    const rows = await page.locator('tbody tr').allInnerTexts();
    expect(rows.map((row) => row.split('\t')[0]).sort()).toEqual(order.products.map((product) => product.licenseRef).sort());
    expect(rows.every((row) => row.includes(order.refNo))).toBe(true);
    await shoot('subscriptions');
  });

  it("lists webhook endpoints, shows an endpoint's attempts, rotates its secret and replays its events, audited", async () => {
    const created = await adminCall(t, 'POST', '/api/webhooks', {
      url: receiver.url('/crm'),
      events: ['order.completed'],
      description: 'CRM',
    });
    const later = newOrder({ firstName: 'Zoë Ångström', lastName: '李' });
    // The replay below starts at this second (the form's precision): the earlier orders' events lie before it.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const since = new Date(Math.floor(Date.now() / 1000) * 1000);
    await sendStatus(t, later, 'COMPLETE');
    const [first] = await receiver.waitFor('/crm', 1);
    expect(verified(first, created.body.secret).data.orderRef).toBe(later.refNo);

    await open('/console/webhooks', 'CRM');
    expect(await main()).toContain(receiver.url('/crm'));
    await page.getByRole('link', { name: 'CRM' }).click();
    await page.getByText('No attempt yet.').or(page.getByText('order.completed').first()).waitFor();
    expect(await page.locator('tbody tr').allInnerTexts()).toEqual([expect.stringMatching(/order\.completed.*\t1\t200\t/)]);
    await shoot('webhook');

    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByText(/^Rotated/).waitFor();
    const secret = (await page.locator('.secret code').innerText()).trim();
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(created.body.secret);

    await page.fill('input[name=since]', since.toISOString().slice(0, 19));
    await page.getByRole('button', { name: 'Replay' }).click();
    await page.getByText('Queued 1 event again.').waitFor();
    const [, again] = await receiver.waitFor('/crm', 2);
    expect(again.headers['webhook-id']).toBe(first.headers['webhook-id']);
    // Signed with the new secret and, during the overlap, the previous one.
    expect(verified(again, secret).data.orderRef).toBe(later.refNo);
    expect(verified(again, created.body.secret).data.orderRef).toBe(later.refNo);

    const audited = await db.query(`SELECT action, outcome, detail FROM admin_audit WHERE action LIKE 'webhook.%' ORDER BY at`);
    expect(audited).toEqual([
      { action: 'webhook.create', outcome: 'done', detail: `id ${created.body.id}` },
      { action: 'webhook.secret.rotate', outcome: 'done', detail: 'console' },
      { action: 'webhook.replay', outcome: 'done', detail: 'console: 1 replayed' },
    ]);
  });

  it('refuses changes that do not come from its own scripts', async () => {
    const [cookie] = await chromium.context.cookies();
    const retry = (headers: Record<string, string>) =>
      fetch(`${t.baseUrl}/console/api/dead-letters/00000000-0000-4000-8000-000000000000/retry`, {
        method: 'POST',
        headers: { cookie: `${cookie.name}=${cookie.value}`, ...headers },
      });
    expect((await retry({})).status).toBe(403);
    expect((await retry({ 'x-console-request': '1', origin: 'https://evil.example' })).status).toBe(403);
    expect((await retry({ 'x-console-request': '1', origin: t.baseUrl })).status).toBe(404);
  });

  it('logs out: the session ends on the server too', async () => {
    const [cookie] = await chromium.context.cookies();
    await open('/console', 'Activity');
    await Promise.all([page.waitForURL('**/console/login'), page.getByRole('button', { name: 'Log out' }).click()]);
    const replayed = await fetch(`${t.baseUrl}/console/api/notifications`, { headers: { cookie: `${cookie.name}=${cookie.value}` } });
    expect(replayed.status).toBe(401);
    await open('/console/dead-letters', 'Admin token');
  });

  it('ran without script errors, Content-Security-Policy violations or failed requests', () => {
    expect(pageErrors).toEqual([]);
    expect(failedResponses).toEqual(['401 /console/login']);
  });
});
