import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_LISTENER, loadConfig } from '../../config/app.config';
import { ConfigurationError } from '../../config/configuration.error';
import { parseAlgorithms } from '../../config/listeners.config';
import { FormBody, NotificationKind, SignatureAlgorithm, isSignatureField, readReceipt } from '../../modules/ipn/protocol';
import type { CliIo } from '../cli-io';
import { UsageError } from '../cli-io';
import { DEFAULT_PRODUCTS, SampleOrder, nowIpnDate, sampleIpn, sampleLcn, signForm } from '../sample-notification';
import { identitiesFrom, loadScenario, scenarioNames } from '../scenarios';

export const SEND_USAGE = `send [--status COMPLETE | --scenario NAME | --file FIXTURE] [--url URL] [--ref-no N] [--email E]
     [--algorithms sha3-256,sha256] [--listener NAME]
  Posts correctly signed TEST notifications, like placing a test order, and checks each receipt.
  --status     one IPN with this ORDERSTATUS (default COMPLETE)
  --scenario   a sequence: ${Object.keys(scenarioSteps('0', 'x@example.com')).join(', ')};
               or a lifecycle of test/fixtures/scenarios (new REFNOs and licenses made of --ref-no, or of the time):
               ${scenarioNames().join(', ')}
  --file       a captured body (urlencoded) or JSON ([[name, value], …] or {name: value}); its signature
               fields are replaced by fresh ones (an LCN when it has LICENSE_CODE and no REFNO)
  The key is the listener's secret key from the service's configuration (IPN_SECRET_KEY, IPN_LISTENERS, .env).`;

interface Step {
  kind: NotificationKind;
  form: FormBody;
  /** Sent again as is, byte for byte: the platform re-sending after a lost receipt. */
  again?: boolean;
  /** What the step does (fixture scenarios say it). */
  note?: string;
}

/** The scenarios `--scenario` knows: each a list of notifications sent in order. */
function scenarioSteps(refNo: string, email: string): Record<string, () => Step[]> {
  let sending = 0;
  const ipn = (status: string, extra: Partial<SampleOrder> = {}): Step => {
    sending += 1;
    const order: SampleOrder = {
      refNo,
      status,
      email,
      test: true,
      products: DEFAULT_PRODUCTS,
      messageId: `${refNo}-${sending}`,
      ipnDate: nowIpnDate(),
      ...extra,
    };
    return { kind: 'ipn', form: sampleIpn(order) };
  };
  return {
    lifecycle: () => [ipn('PENDING'), ipn('PAYMENT_AUTHORIZED'), ipn('COMPLETE')],
    refund: () => [ipn('COMPLETE'), ipn('REFUND')],
    duplicate: () => {
      const step = ipn('COMPLETE');
      return [step, { ...step, again: true }];
    },
    'out-of-order': () => [ipn('COMPLETE'), ipn('PENDING', { ipnDate: '20200101000000' })],
    'fraud-hold': () => [ipn('COMPLETE', { fraudStatus: 'UNDER REVIEW' }), ipn('COMPLETE', { fraudStatus: 'APPROVED' })],
    lcn: () => [{ kind: 'lcn', form: sampleLcn(`LIC-${refNo}`, '2027-12-31 23:59:59') }],
  };
}

function fixture(path: string): Step {
  const text = readFileSync(path);
  let form: FormBody;
  if (extname(path).toLowerCase() === '.json') {
    const data = JSON.parse(text.toString('utf8')) as Array<[string, string | string[]]> | Record<string, string | string[]>;
    form = FormBody.fromPairs(Array.isArray(data) ? data : Object.entries(data));
  } else {
    form = FormBody.parse(Buffer.from(text.toString('latin1').trim(), 'latin1'));
  }
  const unsigned = new FormBody(form.fields.filter((field) => !isSignatureField(field.name)));
  return { kind: unsigned.first('LICENSE_CODE') !== undefined && unsigned.first('REFNO') === undefined ? 'lcn' : 'ipn', form: unsigned };
}

/** `send`: returns the exit code (0 when every receipt was valid). */
export async function send(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      status: { type: 'string' },
      scenario: { type: 'string' },
      file: { type: 'string' },
      url: { type: 'string' },
      'ref-no': { type: 'string' },
      email: { type: 'string', default: 'test.buyer@example.com' },
      algorithms: { type: 'string' },
      listener: { type: 'string', default: DEFAULT_LISTENER },
    },
  });
  const config = loadConfig(io.env);
  const listener = config.ipn.listeners.get(values.listener);
  if (!listener) throw new ConfigurationError('--listener', `no listener "${values.listener}" is configured`);
  const algorithms = values.algorithms ? parseAlgorithms('--algorithms', values.algorithms) : listener.algorithms;
  const key = listener.secretKeys[0].reveal();
  const refNo = values['ref-no'] ?? String(Date.now()).slice(-9);

  let steps: Step[];
  if (values.file) steps = [fixture(values.file)];
  else if (values.scenario && scenarioNames().includes(values.scenario)) steps = fixtureScenario(values.scenario, values['ref-no'], io);
  else if (values.scenario) {
    const scenario = scenarioSteps(refNo, values.email)[values.scenario];
    if (!scenario) throw new UsageError(`no scenario "${values.scenario}"`);
    steps = scenario();
  } else steps = [single(refNo, values.email, values.status ?? 'COMPLETE')];

  let valid = true;
  let previous = '';
  for (const step of steps) {
    const url = endpoint(values.url, step.kind, listener.name, config.port);
    const body = step.again ? previous : signForm(step.form, algorithms, key.toString('utf8'));
    previous = body;
    const what =
      step.kind === 'ipn'
        ? `REFNO=${step.form.first('REFNO')} ORDERSTATUS=${step.form.first('ORDERSTATUS')}`
        : `LICENSE_CODE=${step.form.first('LICENSE_CODE')}`;
    io.out(`POST ${url}\n  ${what}${step.again ? ' (the same body again)' : ''}, signed with ${algorithms.join(', ')}`);
    if (step.note) io.out(`  ${step.note}`);
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    const text = await response.text();
    io.out(`HTTP ${response.status}\n${text}`);
    valid = verdict(io, step.kind, text, FormBody.parse(Buffer.from(body, 'latin1')), algorithms, key) && valid;
  }
  return valid ? 0 : 1;
}

/** `--url` as given when it names this kind's endpoint; otherwise its origin with the listener's path. */
function endpoint(given: string | undefined, kind: NotificationKind, listener: string, port: number): string {
  const path = `/${kind}${listener === DEFAULT_LISTENER ? '' : `/${listener}`}`;
  if (!given) return `http://127.0.0.1:${port}${path}`;
  const named = /\/(ipn|lcn)(\/[^/?]*)?\/?$/.exec(given);
  if (named?.[1] === kind) return given;
  return `${named ? given.slice(0, named.index) : given.replace(/\/$/, '')}${path}`;
}

/** A lifecycle from test/fixtures/scenarios, with identities made of `seed` (digits), said before it is sent. */
function fixtureScenario(name: string, seed: string | undefined, io: CliIo): Step[] {
  if (seed !== undefined && !/^\d{1,40}$/.test(seed))
    throw new UsageError('--ref-no must be digits for a fixture scenario (its REFNOs are made of it)');
  const identities = identitiesFrom(seed ?? String(Date.now()));
  const scenario = loadScenario(name, identities);
  io.out(`Scenario ${name}: ${scenario.description}`);
  io.out(`  orders ${identities.refNos.slice(0, 3).join(', ')}…, license ${identities.licenses[0]}, customer ${identities.email}`);
  io.out(`  then: GET /api/subscriptions/${identities.licenses[0]} and GET /api/orders/${identities.refNos[0]}\n`);
  return scenario.steps;
}

function single(refNo: string, email: string, status: string): Step {
  return {
    kind: 'ipn',
    form: sampleIpn({ refNo, status, email, test: true, products: DEFAULT_PRODUCTS, messageId: String(Date.now()), ipnDate: nowIpnDate() }),
  };
}

/** Recomputes the receipt the platform expects for the strongest algorithm sent, with the DATE printed. */
function verdict(
  io: CliIo,
  kind: NotificationKind,
  text: string,
  form: FormBody,
  algorithms: readonly SignatureAlgorithm[],
  key: Buffer,
): boolean {
  const strongest = (['sha3-256', 'sha256', 'md5'] as const).find((algorithm) => algorithms.includes(algorithm))!;
  const date = /date="(\d{14})"/.exec(text)?.[1] ?? /<EPAYMENT>(\d{14})\|/.exec(text)?.[1];
  const expected = date ? readReceipt(kind, form, strongest, key, date) : undefined;
  const valid = expected !== undefined && text.includes(expected);
  io.out(valid ? `Receipt valid (${strongest}).` : `Receipt NOT valid: expected a ${strongest} receipt${expected ? ` ${expected}` : ''}.`);
  return valid;
}
