import { request as httpRequest } from 'node:http';
import { networkInterfaces } from 'node:os';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/bootstrap';
import { loadConfig } from '../../src/config/app.config';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { SignInLinkService, announceSignInLink } from '../../src/modules/console';
import { SIGN_IN_LINK_TTL_MS } from '../../src/modules/console/application/sign-in-link.service';
import { TEST_SECRET_KEY, TestApp, createTestApp } from '../setup/create-test-app';
import { provisionTestDatabase } from '../setup/test-database';

/**
 * A first run without ADMIN_TOKEN: the one-time console sign-in link, printed on a terminal only, valid
 * once and for a few minutes, honoured only from a loopback socket (X-Forwarded-For never counts), never
 * in the JSON logs; and none at all when ADMIN_TOKEN is set.
 */
let database: DatabaseEndpoint;
let app: NestExpressApplication;
let port: number;
const lines: Array<Record<string, unknown>> = [];
const codes: string[] = [];
/** A non-loopback IPv4 address of this machine, to connect from another address than 127.0.0.1. */
const otherAddress = Object.values(networkInterfaces())
  .flat()
  .find((entry) => entry?.family === 'IPv4' && !entry.internal)?.address;

beforeAll(async () => {
  database = await provisionTestDatabase();
  // TRUST_PROXY names the other address as a proxy: its X-Forwarded-For is believed for request.ip,
  // which the link must still ignore.
  const config = loadConfig({
    IPN_SECRET_KEY: TEST_SECRET_KEY,
    LOG_LEVEL: 'log',
    ...(otherAddress && { TRUST_PROXY: `${otherAddress}/32` }),
  });
  app = await createApp(config, database, [], { logDestination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
  await app.listen(0, '0.0.0.0');
  port = (app.getHttpServer().address() as { port: number }).port;
});

afterAll(async () => {
  await app?.close();
  await database?.close();
});

/** What a terminal shows: announceSignInLink's text; the code is kept to look for it in the logs later. */
function printLink(target: NestExpressApplication = app, isTTY = true): { printed: boolean; text: string; url?: string } {
  let text = '';
  const printed = announceSignInLink(target.get(SignInLinkService), `http://127.0.0.1:${port}`, {
    isTTY,
    write: (chunk) => (text += chunk),
  });
  const url = /(http:\/\/\S+\/console\/login\/link\?code=(\S+))/.exec(text);
  if (url) codes.push(url[2]);
  return { printed, text, url: url?.[1] };
}

function cookieOf(response: { headers: Headers }): string | undefined {
  return /^ipn_console_session=([^;]+)/.exec(response.headers.get('set-cookie') ?? '')?.[1];
}

/** A GET over a socket from `localAddress` (fetch cannot choose it). */
function getFrom(localAddress: string, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; setCookie: string | undefined }>((resolve, reject) => {
    const request = httpRequest({ host: localAddress, port, path, localAddress, headers }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0, setCookie: response.headers['set-cookie']?.join(';') }));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('the one-time sign-in link (no ADMIN_TOKEN)', () => {
  it('is printed on a terminal and opens a console session once', async () => {
    const { printed, text, url } = printLink();
    expect(printed).toBe(true);
    expect(text).toMatch(/valid once, for 5 minutes, from this machine only/);

    const first = await fetch(url!, { redirect: 'manual' });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/console');
    const cookie = cookieOf(first);
    expect(cookie).toBeDefined();
    const activity = await fetch(`http://127.0.0.1:${port}/console/api/activity`, { headers: { cookie: `ipn_console_session=${cookie}` } });
    expect(activity.status).toBe(200);

    const again = await fetch(url!, { redirect: 'manual' });
    expect(again.status).toBe(401);
    expect(cookieOf(again)).toBeUndefined();
    expect(await again.text()).toMatch(/used already, has expired, or was not opened on the service’s machine/);

    const [{ count }] = (await app
      .get(DataSource)
      .query(`SELECT count(*)::int AS count FROM admin_audit WHERE action = 'console.sign_in' AND outcome = 'done'`)) as Array<{
      count: number;
    }>;
    expect(count).toBe(1);
  });

  it('is refused once its few minutes have passed', async () => {
    const code = app.get(SignInLinkService).issue(Date.now() - SIGN_IN_LINK_TTL_MS - 1)!;
    codes.push(code);
    const response = await fetch(`http://127.0.0.1:${port}/console/login/link?code=${code}`, { redirect: 'manual' });
    expect(response.status).toBe(401);
    expect(cookieOf(response)).toBeUndefined();
  });

  (otherAddress ? it : it.skip)(
    `is refused from another address of the machine (${otherAddress ?? 'none: this machine has only loopback'}), X-Forwarded-For: 127.0.0.1 or not`,
    async () => {
      const { url } = printLink();
      const path = new URL(url!).pathname + new URL(url!).search;
      expect(await getFrom(otherAddress!, path)).toMatchObject({ status: 401, setCookie: undefined });
      expect(await getFrom(otherAddress!, path, { 'x-forwarded-for': '127.0.0.1' })).toMatchObject({ status: 401, setCookie: undefined });
      // A refused attempt does not spend the code: from this machine it still opens a session.
      expect((await getFrom('127.0.0.1', path)).status).toBe(303);
    },
  );

  it('never reaches the JSON logs: its request line shows the code masked', async () => {
    expect(codes.length).toBeGreaterThanOrEqual(2);
    const logged = lines.map((line) => JSON.stringify(line)).join('\n');
    for (const code of codes) expect(logged).not.toContain(code);
    const requests = lines.filter((line) =>
      String((line.req as { url?: string } | undefined)?.url ?? '').startsWith('/console/login/link'),
    );
    expect(requests.length).toBeGreaterThanOrEqual(2);
    for (const line of requests) expect((line.req as { url: string }).url).toBe('/console/login/link?code=[redacted]');
  });
});

describe('no sign-in link', () => {
  let other: TestApp;

  afterEach(async () => {
    await other?.close();
  });

  it('when standard output is not a terminal: nothing is printed and the console stays off', async () => {
    other = await createTestApp(database, { ADMIN_TOKEN: '' });
    let written = '';
    const printed = announceSignInLink(other.app.get(SignInLinkService), other.baseUrl, {
      isTTY: false,
      write: (text) => (written += text),
    });
    expect(printed).toBe(false);
    expect(written).toBe('');
    expect(await (await fetch(`${other.baseUrl}/console/login`)).text()).toContain('The console is off: set ADMIN_TOKEN to use it.');
    expect((await fetch(`${other.baseUrl}/console/login/link?code=${'A'.repeat(43)}`, { redirect: 'manual' })).status).toBe(401);
  });

  it('when ADMIN_TOKEN is set, even on a terminal', async () => {
    other = await createTestApp(database);
    let written = '';
    const printed = announceSignInLink(other.app.get(SignInLinkService), other.baseUrl, {
      isTTY: true,
      write: (text) => (written += text),
    });
    expect(printed).toBe(false);
    expect(written).toBe('');
    expect(other.app.get(SignInLinkService).wasOffered).toBe(false);
    expect((await fetch(`${other.baseUrl}/console/login/link?code=${'A'.repeat(43)}`, { redirect: 'manual' })).status).toBe(401);
  });
});
