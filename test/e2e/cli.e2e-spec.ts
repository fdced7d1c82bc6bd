import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { run } from '../../src/cli/ipn';
import type { CliIo } from '../../src/cli/cli-io';
import { DEFAULT_PRODUCTS, sampleIpn, signForm } from '../../src/cli/sample-notification';
import { Consumer, EventConsumer, EventOf } from '../../src/core/events';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { OrderCompletedEvent } from '../../src/modules/orders';
import { TEST_ADMIN_TOKEN, TEST_SECRET_KEY, TestApp, createTestApp } from '../setup/create-test-app';
import { admin, drained } from '../setup/lifecycle';
import { provisionTestDatabase } from '../setup/test-database';

@Consumer('test.refuses-refno-777', OrderCompletedEvent)
class RefusesOneOrder implements EventConsumer<EventOf<typeof OrderCompletedEvent>> {
  static refuse = true;

  async handle(events: ReadonlyArray<EventOf<typeof OrderCompletedEvent>>): Promise<void> {
    if (RefusesOneOrder.refuse && events.some((event) => event.data.refNo === '777000777')) throw new Error('not this one');
  }
}

@Module({ providers: [RefusesOneOrder] })
class RefusesOneOrderModule {}

let database: DatabaseEndpoint;
let t: TestApp;
const folder = mkdtempSync(join(tmpdir(), 'ipn-cli-'));

beforeAll(async () => {
  database = await provisionTestDatabase();
  t = await createTestApp(database, { OUTBOX_MAX_ATTEMPTS: '1', OUTBOX_POLL_MS: '50' }, [RefusesOneOrderModule]);
});

afterAll(async () => {
  await t?.close();
  await database?.close();
});

/** Runs `npm run ipn -- …argv` in process; returns the exit code and what it printed. */
async function ipn(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env: { IPN_SECRET_KEY: TEST_SECRET_KEY, ADMIN_TOKEN: TEST_ADMIN_TOKEN, PORT: new URL(t.baseUrl).port },
  };
  const code = await run(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function capturedBody(refNo: string): string {
  const form = sampleIpn({
    refNo,
    status: 'COMPLETE',
    email: 'cli@example.com',
    test: true,
    products: DEFAULT_PRODUCTS,
    messageId: refNo,
    ipnDate: '20261125100000',
  });
  return signForm(form, ['sha3-256', 'sha256'], TEST_SECRET_KEY);
}

describe('send', () => {
  it('posts one signed notification of a status and checks the receipt', async () => {
    const result = await ipn('send', '--status', 'PAYMENT_AUTHORIZED', '--url', `${t.baseUrl}/ipn`, '--ref-no', '777000001');
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toMatch(/REFNO=777000001 ORDERSTATUS=PAYMENT_AUTHORIZED/);
    expect(result.out).toMatch(/HTTP 200\n<sig algo="sha3-256"/);
    expect(result.out).toMatch(/Receipt valid \(sha3-256\)/);
  });

  it('plays a scenario (the same body twice: one stored, both receipted) against the port from the environment', async () => {
    const result = await ipn('send', '--scenario', 'duplicate', '--ref-no', '777000002');
    expect(result.code).toBe(0);
    expect(result.out.match(/Receipt valid/g)).toHaveLength(2);
    expect(result.out).toMatch(/\(the same body again\)/);
    const { body } = await admin(t, '/api/ipn/messages?refNo=777000002');
    expect(body).toHaveLength(1);
    expect(body[0].deliveryCount).toBe(2);
  });

  it('sends an LCN scenario to /lcn', async () => {
    const result = await ipn('send', '--scenario', 'lcn', '--url', `${t.baseUrl}/ipn`, '--ref-no', '777000003');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(new RegExp(`POST ${t.baseUrl}/lcn\\n  LICENSE_CODE=LIC-777000003`));
  });

  it('re-signs a fixture file, urlencoded or JSON', async () => {
    const urlencoded = join(folder, 'captured.txt');
    writeFileSync(urlencoded, capturedBody('777000004').replace(/SIGNATURE_SHA3_256=[0-9a-f]+/, 'SIGNATURE_SHA3_256=stale'));
    expect((await ipn('send', '--file', urlencoded, '--url', `${t.baseUrl}/ipn`)).out).toMatch(/REFNO=777000004[\s\S]*Receipt valid/);
    const json = join(folder, 'fixture.json');
    writeFileSync(
      json,
      JSON.stringify({ REFNO: '777000005', ORDERSTATUS: 'PENDING', IPN_PID: ['1'], IPN_PNAME: ['Thing'], IPN_DATE: '20261125100000' }),
    );
    expect((await ipn('send', '--file', json, '--url', `${t.baseUrl}/ipn`)).code).toBe(0);
  });

  it('refuses an unknown scenario or command with the usage', async () => {
    expect(await ipn('send', '--scenario', 'nope')).toMatchObject({
      code: 2,
      err: expect.stringMatching(/no scenario "nope"[\s\S]*Usage: npm run ipn/),
    });
    expect((await ipn('frobnicate')).code).toBe(2);
    expect(await ipn('--help')).toMatchObject({ code: 0, out: expect.stringMatching(/^Usage: npm run ipn -- <command>/) });
  });
});

describe('verify', () => {
  it('prints the signature source and which signatures match the key', async () => {
    const file = join(folder, 'support-case.txt');
    writeFileSync(file, `${capturedBody('777000010')}\n`);
    const good = await ipn('verify', file, '--key', TEST_SECRET_KEY);
    expect(good.code).toBe(0);
    expect(good.out).toMatch(/Signature source \(\d+ bytes/);
    expect(good.out).toMatch(/\d+777000010/);
    expect(good.out).toMatch(/SIGNATURE_SHA3_256\s+MATCHES/);
    expect(good.out).toMatch(/SIGNATURE_SHA2_256\s+MATCHES/);
    expect(good.out).toMatch(/HASH\s+absent/);
    const bad = await ipn('verify', file, '--key', 'another-key');
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/SIGNATURE_SHA3_256\s+does NOT match \(expected [0-9a-f]{64}\)/);
    expect(bad.out).toMatch(/IPN_SIGNATURE_INVALID/);
  });
});

describe('operations through the admin API', () => {
  it('replays one notification, and every notification of a time range', async () => {
    const { body } = await admin(t, '/api/ipn/messages?refNo=777000001');
    const one = await ipn('replay', body[0].id);
    expect(one).toMatchObject({ code: 0, out: `Notification ${body[0].id} queued for processing again.` });
    const from = new Date(Date.now() - 60_000).toISOString();
    const to = new Date(Date.now() + 1000).toISOString();
    const range = await ipn('replay', '--from', from, '--to', to);
    expect(range.code).toBe(0);
    expect(range.out).toMatch(/^\d+ notification\(s\) received from /);
    expect(Number(/^(\d+)/.exec(range.out)![1])).toBeGreaterThanOrEqual(5);
    expect((await ipn('replay', '--from', to, '--to', from)).err).toMatch(/HTTP 400 BAD_REQUEST: from must be before to/);
    await drained(t);
  });

  it('lists dead letters and retries one', async () => {
    await ipn('send', '--status', 'COMPLETE', '--ref-no', '777000777');
    await drained(t);
    const listed = await ipn('dead-letters');
    expect(listed.code).toBe(0);
    const id = /^([0-9a-f-]{36}) {2}ipn\.received {2}REFNO 777000777/m.exec(listed.out)?.[1];
    expect(id).toBeDefined();
    expect(listed.out).toMatch(/test\.refuses-refno-777: not this one/);

    RefusesOneOrder.refuse = false;
    expect(await ipn('retry', id!)).toMatchObject({ code: 0, out: `Dead letter ${id} queued again with fresh attempts.` });
    await drained(t);
    expect((await ipn('dead-letters')).out).toBe('No dead letters.');
    expect(await ipn('retry', id!)).toMatchObject({ code: 1, err: expect.stringMatching(/HTTP 404 NOT_FOUND/) });
  });

  it('says what is missing without ADMIN_TOKEN', async () => {
    const out: string[] = [];
    const code = await run(['dead-letters'], { out: (line) => out.push(line), err: (line) => out.push(line), env: {} });
    expect(code).toBe(2);
    expect(out.join('\n')).toMatch(/set ADMIN_TOKEN/);
  });
});
