import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { FormBody } from './form-body';
import { notificationIdentity } from './identity';
import { signatures, signatureSource } from './signature';

const pairs = fc.uniqueArray(
  fc.tuple(fc.stringMatching(/^[A-Z][A-Z0-9_]{0,12}$/), fc.oneof(fc.string({ maxLength: 20 }), fc.array(fc.string(), { maxLength: 3 }))),
  { selector: ([name]) => name, minLength: 1, maxLength: 10 },
);

describe('notificationIdentity', () => {
  it('is the SHA-256 of the signature source', () => {
    const form = FormBody.parse(Buffer.from('REFNO=1&IPN_PID%5B%5D=7&IPN_PID%5B%5D=8&HASH=ab', 'latin1'));
    expect(notificationIdentity(form)).toEqual(createHash('sha256').update('111718').digest());
    expect(notificationIdentity(form)).toEqual(createHash('sha256').update(signatureSource(form)).digest());
  });

  it('is the same whatever the field names, the signature fields or the key that signed it', () => {
    fc.assert(
      fc.property(pairs, fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (payload, key, otherKey) => {
        const form = FormBody.fromPairs(payload);
        const renamed = FormBody.fromPairs(payload.map(([name, value]) => [`${name}_X`, value]));
        const signedOnce = form.with(signatures(form, ['sha256'], Buffer.from(key)));
        const signedAgain = form.with(signatures(form, ['sha3-256', 'md5'], Buffer.from(otherKey)));
        const identity = notificationIdentity(form);
        expect(notificationIdentity(renamed)).toEqual(identity);
        expect(notificationIdentity(signedOnce)).toEqual(identity);
        expect(notificationIdentity(signedAgain)).toEqual(identity);
      }),
    );
  });

  it('differs when any value differs', () => {
    const a = FormBody.fromPairs([
      ['REFNO', '1'],
      ['IPN_TOTALGENERAL', '60.00'],
    ]);
    const b = FormBody.fromPairs([
      ['REFNO', '1'],
      ['IPN_TOTALGENERAL', '60.01'],
    ]);
    // Moving a byte from one value to the next changes the length prefixes, hence the identity.
    const c = FormBody.fromPairs([
      ['REFNO', '16'],
      ['IPN_TOTALGENERAL', '0.00'],
    ]);
    expect(notificationIdentity(a)).not.toEqual(notificationIdentity(b));
    expect(notificationIdentity(a)).not.toEqual(notificationIdentity(c));
  });
});
