import { DEFAULT_PRODUCTS, sampleIpn, signForm } from '../src/cli/sample-notification';
import { DEFAULT_FORM_LIMITS, FormBody, FormLimitError, FormLimits, signatureSource } from '../src/modules/ipn/protocol';

/**
 * npm run bench:parse
 * What the form parser costs on the worst input a forger can send within IPN_MAX_BODY (1 MB), shape by
 * shape, with the production limits (most shapes are refused by the first scan) and with no limits (the
 * parser's own cost on the same bytes), and what a realistic notification costs: parse + signature source.
 * Target: under 20 ms per 1 MB for every shape.
 */
const MB = 1024 * 1024;
const UNLIMITED: FormLimits = { maxFields: Number.MAX_SAFE_INTEGER, maxFieldNameBytes: Number.MAX_SAFE_INTEGER };

/** `unit` repeated to fill 1 MB. */
function fill(unit: string, prefix = ''): Buffer {
  return Buffer.from(prefix + unit.repeat(Math.floor((MB - prefix.length) / unit.length)), 'latin1');
}

const SHAPES: Record<string, Buffer> = {
  'a=&a=& (repeated empty pairs)': fill('a=&'),
  'distinct names n1=&n2=&': Buffer.from(
    Array.from({ length: 120_000 }, (_, i) => `n${i}=`)
      .join('&')
      .slice(0, MB),
  ),
  'a[]=&a[]=& (array items)': fill('a[]=&'),
  'mixed a=&a[]=&': fill('a=&a[]=&'),
  '%41 escapes in one value': fill('%41', 'v='),
  '%E6%9D%B1 escapes, many fields': fill('%E6%9D%B1&', 'v='),
  'bad escapes %zz%4': fill('%zz%4', 'v='),
  'one giant value': fill('x', 'v='),
  'one giant name': fill('n'),
  'huge names with values': fill(`${'n'.repeat(4096)}=1&`),
  '2,000 fields of escapes (within limits)': Buffer.from(
    Array.from({ length: 2000 }, (_, i) => `F${i}=${'%41'.repeat(170)}`).join('&'),
    'latin1',
  ),
  '2,000 escaped 128-byte names (within limits)': Buffer.from(
    Array.from({ length: 2000 }, (_, i) => `${String(i).padStart(5, '0')}${'%E6'.repeat(41)}=${'%41'.repeat(128)}`).join('&'),
    'latin1',
  ),
};

function msPerRun(work: () => void, runs: number): number {
  for (let i = 0; i < 3; i++) work();
  const start = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) work();
  return Number(process.hrtime.bigint() - start) / 1e6 / runs;
}

function parseOrRefuse(body: Buffer, limits: FormLimits): string {
  try {
    FormBody.parse(body, limits);
    return 'parsed';
  } catch (error) {
    if (error instanceof FormLimitError) return `refused (${error.reason})`;
    throw error;
  }
}

const rows = Object.entries(SHAPES).map(([shape, body]) => {
  const perMb = MB / body.length;
  const outcome = parseOrRefuse(body, DEFAULT_FORM_LIMITS);
  return {
    shape,
    'production limits: ms / MB': (msPerRun(() => parseOrRefuse(body, DEFAULT_FORM_LIMITS), 20) * perMb).toFixed(2),
    outcome,
    'no limits: ms / MB': (msPerRun(() => parseOrRefuse(body, UNLIMITED), 10) * perMb).toFixed(2),
  };
});
console.table(rows);

const realistic = Buffer.from(
  signForm(
    sampleIpn({
      refNo: '70001',
      status: 'COMPLETE',
      email: 'buyer@example.com',
      test: true,
      products: DEFAULT_PRODUCTS,
      messageId: 'm-1',
      ipnDate: '20261124102959',
    }),
    ['sha3-256', 'sha256'],
    'bench-secret-key',
  ),
  'latin1',
);
const perNotification = msPerRun(() => signatureSource(FormBody.parse(realistic)), 20_000) * 1000;
console.log(`Realistic IPN (${realistic.length} bytes): parse + signature source ${perNotification.toFixed(1)} µs`);
