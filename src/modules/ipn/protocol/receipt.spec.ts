import fc from 'fast-check';
import { FormBody } from './form-body';
import { missingReceiptFields, receiptDate, receiptSource } from './receipt';

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

  it('names the fields a receipt needs but the notification lacks', () => {
    expect(
      missingReceiptFields(
        'ipn',
        FormBody.fromPairs([
          ['IPN_PID', ['1']],
          ['IPN_DATE', ''],
        ]),
      ),
    ).toEqual(['IPN_PNAME', 'IPN_DATE']);
    expect(missingReceiptFields('lcn', FormBody.fromPairs([['LICENSE_CODE', 'X']]))).toEqual(['EXPIRATION_DATE']);
  });
});
