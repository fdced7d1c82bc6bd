import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_LISTENER, loadConfig } from '../config/app.config';
import { ConfigurationError } from '../config/configuration.error';
import { parseAlgorithms } from '../config/listeners.config';
import { FormBody, readReceipt } from '../modules/ipn/protocol';
import { DEFAULT_PRODUCTS, nowIpnDate, sampleIpn, signForm } from './sample-notification';

const USAGE = `Usage: npm run ipn:send -- [--status COMPLETE] [--url http://127.0.0.1:3000/ipn] [--ref-no N]
                        [--email buyer@example.com] [--algorithms sha3-256,sha256] [--listener NAME]
Posts a correctly signed TEST notification, like placing a test order, and checks the receipt.
The key is the listener's secret key from the same configuration the service reads (IPN_SECRET_KEY, IPN_LISTENERS, .env).`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      status: { type: 'string', default: 'COMPLETE' },
      url: { type: 'string' },
      'ref-no': { type: 'string' },
      email: { type: 'string', default: 'test.buyer@example.com' },
      algorithms: { type: 'string' },
      listener: { type: 'string', default: DEFAULT_LISTENER },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig(process.env);
  const listener = config.ipn.listeners.get(values.listener);
  if (!listener) throw new ConfigurationError('--listener', `no listener "${values.listener}" is configured`);
  const algorithms = values.algorithms ? parseAlgorithms('--algorithms', values.algorithms) : listener.algorithms;
  const path = listener.name === DEFAULT_LISTENER ? '/ipn' : `/ipn/${listener.name}`;
  const url = values.url ?? `http://127.0.0.1:${config.port}${path}`;
  const key = listener.secretKeys[0].reveal();

  const form = sampleIpn({
    refNo: values['ref-no'] ?? String(Date.now()).slice(-9),
    status: values.status,
    email: values.email,
    test: true,
    products: DEFAULT_PRODUCTS,
    messageId: String(Date.now()),
    ipnDate: nowIpnDate(),
  });
  const body = signForm(form, algorithms, key.toString('utf8'));
  console.log(`POST ${url}\n  REFNO=${form.first('REFNO')} ORDERSTATUS=${values.status} TEST_ORDER=1 signed with ${algorithms.join(', ')}`);

  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  const text = await response.text();
  console.log(`HTTP ${response.status}\n${text}`);
  return verdict(text, FormBody.parse(Buffer.from(body, 'latin1')), algorithms, key) ? 0 : 1;
}

/** Recomputes the receipt the platform expects for the strongest algorithm sent, with the DATE printed. */
function verdict(text: string, form: FormBody, algorithms: readonly string[], key: Buffer): boolean {
  const strongest = (['sha3-256', 'sha256', 'md5'] as const).find((algorithm) => algorithms.includes(algorithm))!;
  const date = /date="(\d{14})"/.exec(text)?.[1] ?? /<EPAYMENT>(\d{14})\|/.exec(text)?.[1];
  const expected = date ? readReceipt('ipn', form, strongest, key, date) : undefined;
  const valid = expected !== undefined && text.includes(expected);
  console.log(valid ? `Receipt valid (${strongest}).` : `Receipt NOT valid: expected a ${strongest} receipt${expected ? ` ${expected}` : ''}.`);
  return valid;
}

main()
  .then((code) => process.exit(code))
  .catch((error: Error) => {
    console.error(error instanceof ConfigurationError ? `Configuration error: ${error.message}` : error.message);
    process.exit(1);
  });
