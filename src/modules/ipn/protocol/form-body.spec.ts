import fc from 'fast-check';
import { FormBody, decodeComponent } from './form-body';
import { FormLimitError } from './form-limits';

/**
 * The parser written the plain way (split, decode each piece, then group): the optimised one, with its
 * shared buffers, views and remembered searches, must read every body exactly as this does.
 */
function referenceParse(body: Buffer): Record<string, string | string[]> | 'mixed' {
  const decode = (text: string) =>
    Buffer.from(
      text.replace(/\+/g, ' ').replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
      'latin1',
    );
  const record: Record<string, string | string[]> = {};
  for (const pair of body.toString('latin1').split('&').filter(Boolean)) {
    const at = pair.indexOf('=');
    const rawName = decode(at === -1 ? pair : pair.slice(0, at)).toString('utf8');
    const value = (at === -1 ? Buffer.alloc(0) : decode(pair.slice(at + 1))).toString('utf8');
    const bracket = rawName.indexOf('[');
    const isArray = bracket > 0 && rawName.endsWith(']');
    const name = isArray ? rawName.slice(0, bracket) : rawName;
    const existing = record[name];
    if (existing !== undefined && Array.isArray(existing) !== isArray) return 'mixed';
    if (isArray) record[name] = [...((existing as string[] | undefined) ?? []), value];
    else record[name] = value;
  }
  return record;
}

/** An independent encoder, the way browsers and 2Checkout encode forms. */
function encode(pairs: Array<[string, string]>): Buffer {
  const text = pairs.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`.replace(/%20/g, '+')).join('&');
  return Buffer.from(text, 'latin1');
}

const fieldName = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,20}$/);
const fieldValue = fc.string({ unit: 'binary', maxLength: 40 });

describe('FormBody.parse', () => {
  it('keeps plain fields in the order sent, with values byte-exact (any UTF-8)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(fieldName, fieldValue), { selector: ([name]) => name }), (pairs) => {
        const form = FormBody.parse(encode(pairs));
        expect(form.fields.map((field) => field.name)).toEqual(pairs.map(([name]) => name));
        expect(form.fields.map((field) => field.values[0].toString('utf8'))).toEqual(pairs.map(([, v]) => v));
        form.fields.forEach((field, i) => expect(field.values[0]).toEqual(Buffer.from(pairs[i][1], 'utf8')));
      }),
    );
  });

  it('groups NAME[] items into one array at the position of its first item', () => {
    fc.assert(
      fc.property(fc.array(fieldValue, { minLength: 1, maxLength: 5 }), fieldValue, (items, plain) => {
        const pairs: Array<[string, string]> = [
          ['IPN_PID[]', items[0]],
          ['REFNO', plain],
          ...items.slice(1).map((item): [string, string] => ['IPN_PID[]', item]),
        ];
        const form = FormBody.parse(encode(pairs));
        expect(form.fields.map((field) => [field.name, field.isArray])).toEqual([
          ['IPN_PID', true],
          ['REFNO', false],
        ]);
        expect(form.list('IPN_PID')).toEqual(items);
      }),
    );
  });

  it('round-trips through encode()', () => {
    const arrayOrPlain = fc.oneof(fieldValue, fc.array(fieldValue, { minLength: 1, maxLength: 3 }));
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(fieldName, arrayOrPlain), { selector: ([name]) => name }), (pairs) => {
        const form = FormBody.fromPairs(pairs);
        expect(FormBody.parse(Buffer.from(form.encode(), 'latin1')).toRecord()).toEqual(form.toRecord());
      }),
    );
  });

  it('follows PHP on loose input: repeated plain names keep the last value, empty segments are skipped', () => {
    const form = FormBody.parse(Buffer.from('A=1&&B=2&A=3&C&D=%zz%4', 'latin1'));
    expect(form.toRecord()).toEqual({ A: '3', B: '2', C: '', D: '%zz%4' });
    expect(form.fields.map((field) => field.name)).toEqual(['A', 'B', 'C', 'D']);
  });

  it('treats indexed keys like NAME[0] as array items', () => {
    expect(FormBody.parse(Buffer.from('X%5B0%5D=a&X%5B1%5D=b', 'latin1')).toRecord()).toEqual({ X: ['a', 'b'] });
  });

  it('reads any body exactly as the plain reference parser does', () => {
    const token = fc.constantFrom(
      'A',
      'b',
      '=',
      '&',
      '[',
      ']',
      '%',
      '5',
      'B',
      'b',
      'D',
      'd',
      '0',
      '+',
      '%5B%5D',
      '%5b%5d',
      '\u00e9',
      '\u0000',
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 80 }), (tokens) => {
        const body = Buffer.from(tokens.join(''), 'latin1');
        let parsed: Record<string, string | string[]> | 'mixed';
        try {
          parsed = FormBody.parse(body).toRecord();
        } catch (error) {
          if (!(error instanceof FormLimitError)) throw error;
          parsed = 'mixed';
        }
        expect(parsed).toEqual(referenceParse(body));
      }),
      { numRuns: 2000 },
    );
  });

  it('reads encoded and literal brackets, in any letter case, alike', () => {
    const form = FormBody.parse(Buffer.from('P%5B%5D=1&Q[]=2&P%5b%5d=3&R%5B0%5D=4', 'latin1'));
    expect(form.fields.map((field) => [field.name, field.isArray])).toEqual([
      ['P', true],
      ['Q', true],
      ['R', true],
    ]);
    expect(form.toRecord()).toEqual({ P: ['1', '3'], Q: ['2'], R: ['4'] });
  });

  it('keeps a NUL byte in a name or a value as it is', () => {
    const form = FormBody.parse(Buffer.from('A%00B=1&C=x%00y', 'latin1'));
    expect(form.fields.map((field) => field.name)).toEqual(['A\u0000B', 'C']);
    expect(form.firstBytes('C')).toEqual(Buffer.from('x\u0000y', 'latin1'));
  });

  it('decodes + as a space and %XX as a byte, leaving other bytes alone', () => {
    expect(decodeComponent(Buffer.from('a+b%2Bc%E6%9D%B1%zz', 'latin1')).toString('utf8')).toBe('a b+c東%zz');
  });
});
