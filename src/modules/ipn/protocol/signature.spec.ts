import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { ALGORITHMS_BY_STRENGTH, SIGNATURE_FIELD, SignatureAlgorithm } from './algorithm';
import { FormBody } from './form-body';
import { lengthPrefixed, signatureMatches, signatures, signatureSource, verifySignature } from './signature';

const algorithm = fc.constantFrom(...ALGORITHMS_BY_STRENGTH);
const key = fc.uint8Array({ minLength: 1, maxLength: 300 }).map((bytes) => Buffer.from(bytes));
const pairs = fc.uniqueArray(
  fc.tuple(
    fc.stringMatching(/^[A-Z][A-Z0-9_]{0,12}$/).filter((name) => !Object.values(SIGNATURE_FIELD).includes(name)),
    fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), fc.array(fc.string({ unit: 'binary' }), { maxLength: 3 })),
  ),
  { selector: ([name]) => name, minLength: 1, maxLength: 12 },
);

function signed(form: FormBody, algo: SignatureAlgorithm, secret: Buffer): FormBody {
  return form.with(signatures(form, [algo], secret));
}

describe('signature', () => {
  it('serialises each value as its byte length then its bytes (independent check)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' })), (values) => {
        const expected = values.map((value) => `${Buffer.byteLength(value, 'utf8')}${value}`).join('');
        expect(lengthPrefixed(values.map((value) => Buffer.from(value, 'utf8'))).toString('utf8')).toBe(expected);
      }),
    );
  });

  it('sign -> verify round-trips for any UTF-8 payload and any key length', () => {
    fc.assert(
      fc.property(pairs, key, algorithm, (payload, secret, algo) => {
        const form = signed(FormBody.fromPairs(payload), algo, secret);
        const wire = FormBody.parse(Buffer.from(form.encode(), 'latin1'));
        expect(verifySignature(wire, [algo], [secret])).toEqual({ ok: true, algorithm: algo, key: secret });
      }),
    );
  });

  it('agrees with a plain HMAC over the flattened values', () => {
    fc.assert(
      fc.property(pairs, key, algorithm, (payload, secret, algo) => {
        const flat = payload.flatMap(([, value]) => (typeof value === 'string' ? [value] : value));
        const source = flat.map((value) => `${Buffer.byteLength(value)}${value}`).join('');
        const expected = createHmac(algo, secret).update(source, 'utf8').digest('hex');
        expect(signatures(FormBody.fromPairs(payload), [algo], secret)).toEqual([[SIGNATURE_FIELD[algo], expected]]);
      }),
    );
  });

  it('fails verification when any single byte of the signed content changes', () => {
    fc.assert(
      fc.property(pairs, key, algorithm, fc.nat(), fc.integer({ min: 1, max: 255 }), (payload, secret, algo, at, flip) => {
        const form = signed(FormBody.fromPairs(payload), algo, secret);
        const source = signatureSource(form);
        fc.pre(source.length > 0);
        // Change one byte of one value, keeping every other byte and the signature as they were.
        const values = form.fields.flatMap((field) => field.values);
        const target = values.filter((value) => value.length > 0 && !isSignatureValue(form, value));
        fc.pre(target.length > 0);
        const value = target[at % target.length];
        value[at % value.length] ^= flip;
        expect(verifySignature(form, [algo], [secret])).toMatchObject({ ok: false, reason: 'signature_invalid' });
      }),
    );
  });

  it('fails verification when any single byte of the key or signature changes', () => {
    fc.assert(
      fc.property(pairs, key, algorithm, fc.nat(), (payload, secret, algo, at) => {
        const form = signed(FormBody.fromPairs(payload), algo, secret);
        const wrongKey = Buffer.from(secret);
        wrongKey[at % wrongKey.length] ^= 0x01;
        expect(verifySignature(form, [algo], [wrongKey]).ok).toBe(false);
        const hex = form.first(SIGNATURE_FIELD[algo])!;
        const i = at % hex.length;
        const tampered = hex.slice(0, i) + (hex[i] === '0' ? '1' : '0') + hex.slice(i + 1);
        expect(signatureMatches(tampered, Buffer.from(hex, 'hex'))).toBe(false);
      }),
    );
  });

  it('accepts the hex digits in any letter case', () => {
    const form = FormBody.fromPairs([['REFNO', '1']]);
    const [[field, hex]] = signatures(form, ['sha256'], Buffer.from('k'));
    expect(verifySignature(form.with([[field, hex.toUpperCase()]]), ['sha256'], [Buffer.from('k')]).ok).toBe(true);
  });

  it('judges the strongest accepted signature present, never a weaker one', () => {
    const secret = Buffer.from('secret');
    const form = FormBody.fromPairs([['REFNO', '1']]);
    const genuine = form.with(signatures(form, ['md5', 'sha256', 'sha3-256'], secret));
    const forgedSha3 = form.with([...signatures(form, ['md5', 'sha256'], secret), ['SIGNATURE_SHA3_256', 'ab'.repeat(32)]]);
    expect(verifySignature(genuine, ['sha256', 'md5'], [secret])).toMatchObject({ ok: true, algorithm: 'sha256' });
    expect(verifySignature(forgedSha3, ['sha3-256', 'sha256'], [secret])).toEqual({
      ok: false,
      reason: 'signature_invalid',
      algorithm: 'sha3-256',
    });
  });

  it('reports a missing signature when only algorithms the listener refuses are present', () => {
    const secret = Buffer.from('secret');
    const form = FormBody.fromPairs([['REFNO', '1']]);
    expect(verifySignature(form.with(signatures(form, ['md5'], secret)), ['sha3-256', 'sha256'], [secret])).toEqual({
      ok: false,
      reason: 'signature_missing',
    });
    expect(verifySignature(form.with([['SIGNATURE_SHA3_256', '']]), ['sha3-256'], [secret]).ok).toBe(false);
  });

  it('accepts any of several keys during a key rotation and names the one that matched', () => {
    const [oldKey, newKey] = [Buffer.from('old'), Buffer.from('new')];
    const form = FormBody.fromPairs([['REFNO', '1']]);
    const signedWithOld = form.with(signatures(form, ['sha3-256'], oldKey));
    expect(verifySignature(signedWithOld, ['sha3-256'], [newKey, oldKey])).toEqual({
      ok: true,
      algorithm: 'sha3-256',
      key: oldKey,
    });
    expect(verifySignature(signedWithOld, ['sha3-256'], [newKey]).ok).toBe(false);
  });
});

function isSignatureValue(form: FormBody, value: Buffer): boolean {
  return Object.values(SIGNATURE_FIELD).some((name) => form.firstBytes(name) === value);
}
