import fc from 'fast-check';
import { DEFAULT_PRODUCTS, sampleIpn, sampleLcn, signForm } from '../../src/cli/sample-notification';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { DEFAULT_FORM_LIMITS, FormBody, FormLimitError, verifySignature } from '../../src/modules/ipn/protocol';
import { TEST_SECRET_KEY, TestApp, createTestApp, postForm } from '../setup/create-test-app';
import { rawPost, rawRequest } from '../setup/raw-http';
import { provisionTestDatabase } from '../setup/test-database';

/**
 * Random and hostile requests over a raw socket: whatever arrives, the service answers below 500, never
 * prints a receipt for what is not validly signed, and still receipts a valid notification afterwards.
 * ~2,000 cases in the normal suite; CHAOS=1 (npm run test:chaos) runs 100,000.
 */
const RUNS = process.env.CHAOS ? 100_000 : 2_000;
const KEY = Buffer.from(TEST_SECRET_KEY, 'utf8');

let database: DatabaseEndpoint;
let t: TestApp;
let port: number;

beforeAll(async () => {
  database = await provisionTestDatabase();
  // The refusal throttle would answer most of this with a quick 429: let every case reach the parser.
  t = await createTestApp(database, { IPN_REFUSALS_PER_MINUTE: '100000' });
  port = Number(new URL(t.baseUrl).port);
});

afterAll(async () => {
  await t?.close();
  await database?.close();
});

let sequence = 0;
function validIpn(): Buffer {
  sequence += 1;
  const order = { refNo: `95${sequence}`, status: 'COMPLETE', email: `f${sequence}@example.com`, test: true };
  const form = sampleIpn({ ...order, products: DEFAULT_PRODUCTS, messageId: `f-${sequence}`, ipnDate: '20261125120000' });
  return Buffer.from(signForm(form, ['sha256', 'sha3-256'], TEST_SECRET_KEY), 'latin1');
}
const VALID = [validIpn(), validIpn(), Buffer.from(signForm(sampleLcn('LIC-F', '2027-01-01'), ['sha256'], TEST_SECRET_KEY))];

/**
 * Whether `body` is validly signed, so that a receipt for it is earned, by the product's own protocol
 * code (tested against the reference vectors). Field names are not signed: a body whose names were
 * altered is still authentic.
 */
function isValidlySigned(body: Buffer): boolean {
  try {
    return verifySignature(FormBody.parse(body, DEFAULT_FORM_LIMITS), ['sha3-256', 'sha256'], [KEY]).ok;
  } catch (error) {
    if (error instanceof FormLimitError) return false;
    throw error;
  }
}

const FORM_TOKENS = [
  'A',
  'REFNO',
  'IPN_PID',
  '[]',
  '%5B%5D',
  '[0]',
  '=',
  '&',
  '&&',
  '%',
  '%zz',
  '%4',
  '%C3',
  '%A9',
  '%FF',
  '%00',
  '+',
  '\u0000',
  'é',
  '\u00ff',
  'HASH=',
  'SIGNATURE_SHA2_256=',
  'message_type=',
  'md5_hash=',
];

const body: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 3000 }).map((bytes) => Buffer.from(bytes)),
  fc.array(fc.constantFrom(...FORM_TOKENS), { maxLength: 300 }).map((tokens) => Buffer.from(tokens.join(''), 'latin1')),
  fc.constantFrom(...VALID),
  fc.tuple(fc.constantFrom(...VALID), fc.nat()).map(([valid, at]) => valid.subarray(0, at % valid.length)),
  fc.tuple(fc.constantFrom(...VALID), fc.nat(), fc.integer({ min: 0, max: 255 })).map(([valid, at, byte]) => {
    const copy = Buffer.from(valid);
    copy[at % copy.length] = byte;
    return copy;
  }),
  fc
    .tuple(
      fc.constantFrom(...VALID),
      fc.constantFrom('&IPN_PID=9', '&IPN_PID[]=9', '&REFNO=2', '&REFNO[]=2', '&SIGNATURE_SHA2_256=00', '&%C3%28=%E2%82'),
    )
    .map(([valid, extra]) => Buffer.concat([valid, Buffer.from(extra, 'latin1')])),
  fc.integer({ min: 1990, max: 60_000 }).map((count) => Buffer.from('a=&'.repeat(count), 'latin1')),
  fc
    .tuple(fc.integer({ min: 100, max: 5000 }), fc.boolean())
    .map(([length, withValue]) => Buffer.from(`REFNO=1&${'N'.repeat(length)}${withValue ? '=1' : ''}`, 'latin1')),
);

type Framing = (body: Buffer) => { bytes: Buffer; read: Buffer | undefined; halfClose: boolean };
const FORM = ['Content-Type', 'application/x-www-form-urlencoded'] as const;
const length = (n: number) => ['Content-Length', String(n)] as const;
const chunked = (data: Buffer) => Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from('\r\n0\r\n\r\n')]);

/** How the body is framed; `read`: the bytes the server gets as the body when the framing is honest. */
const framing = (path: string): fc.Arbitrary<Framing> =>
  fc.oneof(
    fc.constant<Framing>((b) => ({ bytes: rawPost(path, [FORM, length(b.length)], b), read: b, halfClose: false })),
    fc
      .constantFrom(
        'text/plain',
        'application/json',
        'APPLICATION/X-WWW-FORM-URLENCODED',
        'application/x-www-form-urlencoded; charset=iso-8859-1',
        'multipart/form-data; boundary=x',
        '',
      )
      .map((type): Framing => (b) => ({ bytes: rawPost(path, [['Content-Type', type], length(b.length)], b), read: b, halfClose: false })),
    fc.nat().map((cut): Framing => (b) => {
      const declared = b.length === 0 ? 0 : cut % b.length;
      return { bytes: rawPost(path, [FORM, length(declared)], b), read: b.subarray(0, declared), halfClose: false };
    }),
    fc
      .integer({ min: 1, max: 5000 })
      .map((extra): Framing => (b) => ({ bytes: rawPost(path, [FORM, length(b.length + extra)], b), read: undefined, halfClose: true })),
    fc.constant<Framing>((b) => ({
      bytes: rawPost(path, [FORM, ['Transfer-Encoding', 'chunked']], chunked(b)),
      read: b,
      halfClose: false,
    })),
    fc.constant<Framing>((b) => ({
      bytes: rawPost(path, [FORM, length(5), ['Transfer-Encoding', 'chunked']], chunked(b)),
      read: b,
      halfClose: false,
    })),
    fc.constantFrom('abc', '-1', '1e3', '99999999999999999999').map((declared): Framing => (b) => ({
      bytes: rawPost(path, [FORM, ['Content-Length', declared]], b),
      read: undefined,
      halfClose: true,
    })),
    fc.constant<Framing>((b) => ({
      bytes: rawPost(path, [FORM, ['Content-Encoding', 'gzip'], length(b.length)], b),
      read: b,
      halfClose: false,
    })),
    fc.constant<Framing>((b) => ({
      bytes: rawPost(path, [FORM, ['Content-Type', 'text/plain'], length(b.length)], b),
      read: b,
      halfClose: false,
    })),
  );

const request = fc
  .constantFrom('/ipn', '/lcn', '/ipn/unknown', '/ipn?REFNO=1', '/ipn/%00', '/IPN')
  .chain((path) => fc.record({ body, frame: framing(path) }));

it(
  `answers ${RUNS} random and hostile requests below 500, and never with an unearned receipt`,
  async () => {
    await fc.assert(
      fc.asyncProperty(request, async ({ body: sent, frame }) => {
        const { bytes, read, halfClose } = frame(sent);
        const response = await rawRequest(port, bytes, halfClose);
        const text = response.body.toString('latin1');
        const receipted = /<sig algo=|<EPAYMENT>/.test(text);
        if (!halfClose) expect(response.status).toBeGreaterThan(0);
        expect(response.status).toBeLessThan(500);
        if (receipted) {
          expect(response.status).toBe(200);
          expect(read !== undefined && isValidlySigned(read)).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
    // Still serving: a valid notification is receipted.
    const after = await postForm(`${t.baseUrl}/ipn`, validIpn());
    expect(after.status).toBe(200);
    expect(await after.text()).toMatch(/^<sig algo="sha3-256" date="\d{14}">[0-9a-f]{64}<\/sig>$/);
  },
  process.env.CHAOS ? 3_600_000 : 120_000,
);
