import fc from 'fast-check';
import { FormBody } from './form-body';
import { DEFAULT_FORM_LIMITS, FormLimitError, MAX_FIELD_NAME_BYTES, checkFormLimits } from './form-limits';

const limits = { maxFields: 5, maxFieldNameBytes: 8 };

function refusal(body: string, using = limits): FormLimitError | undefined {
  try {
    FormBody.parse(Buffer.from(body, 'latin1'), using);
    return undefined;
  } catch (error) {
    if (error instanceof FormLimitError) return error;
    throw error;
  }
}

describe('form limits: refused before anything is built', () => {
  it('defaults to 2,000 fields and 128-byte names', () => {
    expect(DEFAULT_FORM_LIMITS).toEqual({ maxFields: 2000, maxFieldNameBytes: MAX_FIELD_NAME_BYTES });
    expect(MAX_FIELD_NAME_BYTES).toBe(128);
  });

  it('counts name=value pairs, each array item as one, empty segments not at all', () => {
    expect(refusal('a=1&b=2&c[]=3&c[]=4&d=5')).toBeUndefined();
    expect(refusal('a=1&&b=2&&&c=3&d&e=&')).toBeUndefined();
    expect(refusal('a=1&b=2&c[]=3&c[]=4&d=5&e=6')).toMatchObject({ reason: 'too_many_fields', field: undefined });
    expect(refusal('a=&'.repeat(100_000))?.message).toMatch(/more than 5 fields \(IPN_MAX_FIELDS\)/);
  });

  it('measures names in bytes as sent, before decoding, values not included', () => {
    expect(refusal('12345678=x')).toBeUndefined();
    expect(refusal('%41%42%4=x')).toBeUndefined();
    expect(refusal(`a=${'v'.repeat(10_000)}`)).toBeUndefined();
    expect(refusal('123456789=x')).toMatchObject({ reason: 'field_name_too_long' });
    expect(refusal('a=1&%41%42%43=x')).toMatchObject({ reason: 'field_name_too_long' });
    expect(refusal(`a=1&${'n'.repeat(1_000_000)}`)?.message).toMatch(/longer than 8 bytes \(it starts "nnnnnnnn/);
  });

  it('shows the start of a long name printably, whatever bytes it holds', () => {
    const error = refusal(`A\u0000B${'x'.repeat(200)}=1`, DEFAULT_FORM_LIMITS)!;
    expect(error.field).toMatch(/^A\\x00Bx+…$/);
    expect(error.message).not.toContain('\u0000');
    expect(error.message.length).toBeLessThan(200);
  });

  it('refuses NAME and NAME[] in one body, naming the field, whichever comes first', () => {
    for (const body of ['IPN_PID[]=1&IPN_PID=1&IPN_PID[]=2', 'IPN_PID=1&IPN_PID%5B%5D=2', 'IPN_PID%5B0%5D=1&IPN_PID=2']) {
      const error = refusal(body, DEFAULT_FORM_LIMITS)!;
      expect(error).toMatchObject({ reason: 'mixed_field_forms', field: 'IPN_PID' });
      expect(error.message).toContain('IPN_PID and IPN_PID[]');
    }
    expect(() => FormBody.parse(Buffer.from('A[]=1&A=2'))).toThrow(FormLimitError);
  });

  it('changes nothing for a body within the limits', () => {
    const body = fc.array(fc.constantFrom('a', 'b', '=', '&', '[', ']', '%', '5', 'B', 'D', '+', 'z'), { maxLength: 60 });
    fc.assert(
      fc.property(body, (chars) => {
        const bytes = Buffer.from(chars.join(''), 'latin1');
        let limited: unknown;
        let unlimited: unknown;
        try {
          checkFormLimits(bytes, { maxFields: 1000, maxFieldNameBytes: 1000 });
          limited = FormBody.parse(bytes, { maxFields: 1000, maxFieldNameBytes: 1000 }).toRecord();
        } catch (error) {
          limited = (error as FormLimitError).reason;
        }
        try {
          unlimited = FormBody.parse(bytes).toRecord();
        } catch (error) {
          unlimited = (error as FormLimitError).reason;
        }
        expect(limited).toEqual(unlimited);
      }),
    );
  });
});
