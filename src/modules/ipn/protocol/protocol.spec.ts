import { loadVectors } from '../../../../test/setup/vectors';
import { FormBody } from './form-body';
import { readReceipt, receiptSource } from './receipt';
import { hmac, signatureSource, verifySignature } from './signature';

const vectors = loadVectors();

describe('2Checkout protocol against the reference vectors (test/fixtures/vectors.json)', () => {
  it('loads every vector', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(6);
  });

  describe.each(vectors.map((vector) => [vector.name, vector] as const))('%s', (_name, vector) => {
    const form = FormBody.parse(Buffer.from(vector.body_urlencoded, 'latin1'));
    const key = Buffer.from(vector.secret_key, 'utf8');

    it('parses the payload in the order sent, arrays as lists', () => {
      const expected = vector.payload.map(([name, value]) => [name, value]);
      const parsed = form.fields
        .filter((field) => !['HASH', 'SIGNATURE_SHA2_256', 'SIGNATURE_SHA3_256'].includes(field.name))
        .map((field) => [field.name, field.isArray ? field.values.map(String) : String(field.values[0])]);
      expect(parsed).toEqual(expected);
    });

    it('builds the signature source byte for byte', () => {
      expect(signatureSource(form).toString('utf8')).toBe(vector.expected.signature_source);
    });

    it.each([
      ['md5', 'HASH'],
      ['sha256', 'SIGNATURE_SHA2_256'],
      ['sha3-256', 'SIGNATURE_SHA3_256'],
    ] as const)('computes the %s signature', (algorithm, field) => {
      expect(hmac(algorithm, key, signatureSource(form)).toString('hex')).toBe(vector.expected[field]);
      const onlyThis = verifySignature(form, [algorithm], [key]);
      expect(onlyThis).toEqual({ ok: true, algorithm, key });
    });

    it('verifies with the strongest algorithm when all three are present', () => {
      expect(verifySignature(form, ['md5', 'sha256', 'sha3-256'], [key])).toMatchObject({
        ok: true,
        algorithm: 'sha3-256',
      });
    });

    it('builds the receipt source byte for byte', () => {
      expect(receiptSource(vector.kind, form, vector.response_date).toString('utf8')).toBe(vector.expected.receipt_source);
    });

    it.each([
      ['md5', 'receipt_md5'],
      ['sha256', 'receipt_sha256'],
      ['sha3-256', 'receipt_sha3_256'],
    ] as const)('prints the %s receipt', (algorithm, field) => {
      expect(readReceipt(vector.kind, form, algorithm, key, vector.response_date)).toBe(vector.expected[field]);
    });
  });
});
