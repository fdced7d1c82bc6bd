import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  ALGORITHMS_BY_STRENGTH,
  FormBody,
  SIGNATURE_FIELD,
  hmac,
  printable,
  signatureMatches,
  signatureSource,
} from '../../modules/ipn/protocol';
import type { CliIo } from '../cli-io';
import { UsageError } from '../cli-io';

export const VERIFY_USAGE = `verify <file> --key KEY   checks a captured notification body offline (for support cases): prints
  the signature source and, for each signature field present, whether it matches KEY (else IPN_SECRET_KEY)`;

/**
 * `verify`: the framework-free protocol code on a captured body, as the service reads it (raw bytes,
 * order kept). Exit code 0 when the strongest signature present matches.
 */
export async function verify(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { key: { type: 'string' } } });
  if (positionals.length !== 1) throw new UsageError('verify takes one file: the body exactly as received');
  const key = values.key ?? io.env.IPN_SECRET_KEY;
  if (!key) throw new UsageError('give --key (the listener’s secret key), or set IPN_SECRET_KEY');
  // A capture saved from a terminal often ends with a newline that was not part of the body.
  const raw = readFileSync(positionals[0]);
  const body = raw.at(-1) === 0x0a ? raw.subarray(0, raw[raw.length - 2] === 0x0d ? -2 : -1) : raw;
  const form = FormBody.parse(body);
  const source = signatureSource(form);

  io.out(
    `${form.fields.length} fields, ${body.length} bytes; REFNO ${form.first('REFNO') ?? '-'}, LICENSE_CODE ${form.first('LICENSE_CODE') ?? '-'}`,
  );
  io.out(`Signature source (${source.length} bytes, each value as its length in bytes then its bytes):`);
  io.out(printable(source.toString('utf8'), 100_000));
  let strongest: boolean | undefined;
  for (const algorithm of ALGORITHMS_BY_STRENGTH) {
    const field = SIGNATURE_FIELD[algorithm];
    const received = form.first(field);
    if (received === undefined || received === '') {
      io.out(`${field.padEnd(19)} absent`);
      continue;
    }
    const expected = hmac(algorithm, Buffer.from(key, 'utf8'), source);
    const matches = signatureMatches(received, expected);
    strongest ??= matches;
    io.out(`${field.padEnd(19)} ${matches ? 'MATCHES' : `does NOT match (expected ${expected.toString('hex')})`}`);
  }
  if (strongest === undefined) io.out('No signature field: the service answers 401 IPN_SIGNATURE_MISSING.');
  else
    io.out(
      strongest
        ? 'The strongest signature present matches: the service accepts it.'
        : 'The strongest signature present does not match: 401 IPN_SIGNATURE_INVALID.',
    );
  return strongest ? 0 : 1;
}
