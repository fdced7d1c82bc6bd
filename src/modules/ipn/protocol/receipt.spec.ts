import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { FormBody } from './form-body';
import { missingReceiptFields, readReceipt, receiptDate, receiptSource } from './receipt';

describe('receipt', () => {
  it('formats DATE as YmdHis in UTC, always 14 digits', () => {
    expect(receiptDate(new Date('2026-01-02T03:04:05.678Z'))).toBe('20260102030405');
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01'), max: new Date('2999-12-31'), noInvalidDate: true }), (date) => {
        const text = receiptDate(date);
        expect(text).toMatch(/^\d{14}$/);
        expect(text.slice(8, 10)).toBe(String(date.getUTCHours()).padStart(2, '0'));
      }),
    );
  });

  it('uses only the first product of a multi-product IPN, counting bytes', () => {
    const form = FormBody.fromPairs([
      ['IPN_PID', ['7', '8']],
      ['IPN_PNAME', ['東京', 'Other']],
      ['IPN_DATE', '20240615102959'],
    ]);
    expect(receiptSource('ipn', form, '20240615103000').toString('utf8')).toBe('176東京14202406151029591420240615103000');
  });

  it('names the fields a receipt needs but the notification lacks; a field sent empty is not lacking', () => {
    expect(
      missingReceiptFields(
        'ipn',
        FormBody.fromPairs([
          ['IPN_PID', ['1']],
          ['IPN_DATE', ''],
        ]),
      ),
    ).toEqual(['IPN_PNAME']);
    expect(missingReceiptFields('lcn', FormBody.fromPairs([['LICENSE_CODE', 'X']]))).toEqual(['EXPIRATION_DATE']);
    expect(
      missingReceiptFields(
        'lcn',
        FormBody.fromPairs([
          ['LICENSE_CODE', 'X'],
          ['EXPIRATION_DATE', ''],
        ]),
      ),
    ).toEqual([]);
  });

  it('receipts an LCN whose EXPIRATION_DATE is sent empty (a lifetime license) over the empty value, "0"', () => {
    const form = FormBody.parse(Buffer.from('LICENSE_CODE=3C343D0FAF&EXPIRATION_DATE=&STATUS=ACTIVE', 'latin1'));
    expect(receiptSource('lcn', form, '20081117145935').toString('utf8')).toBe('103C343D0FAF01420081117145935');
    // Checked against a plain HMAC of the source written out by hand (PROTOCOL.md §6).
    const expected = createHmac('sha256', 'AABBCCDDEEFF').update('103C343D0FAF01420081117145935').digest('hex');
    expect(readReceipt('lcn', form, 'sha256', Buffer.from('AABBCCDDEEFF'), '20081117145935')).toBe(
      `<sig algo="sha256" date="20081117145935">${expected}</sig>`,
    );
  });
});
