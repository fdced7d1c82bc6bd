import fc from 'fast-check';
import { FormBody, decodeComponent } from './form-body';

/** An independent encoder, the way browsers and 2Checkout encode forms. */
function encode(pairs: Array<[string, string]>): Buffer {
  const text = pairs
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`.replace(/%20/g, '+'))
    .join('&');
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

  it('decodes + as a space and %XX as a byte, leaving other bytes alone', () => {
    expect(decodeComponent(Buffer.from('a+b%2Bc%E6%9D%B1%zz', 'latin1')).toString('utf8')).toBe('a b+c東%zz');
  });
});
