import { printable } from './printable';

/** Bounds on a form body from the network, checked before anything is built from it. */
export interface FormLimits {
  /** Most `name=value` pairs (each array item is one); IPN_MAX_FIELDS. */
  readonly maxFields: number;
  /** Longest field name, in bytes as sent (still encoded, `[]` included). */
  readonly maxFieldNameBytes: number;
}

/**
 * 2Checkout's longest names (`IPN_PRODUCT_OPTIONS_<PID>_OPTIONAL_VALUE%5B%5D`) are about 50 bytes
 * encoded; 128 leaves room for new ones and keeps a forger from handing us megabyte-long names.
 */
export const MAX_FIELD_NAME_BYTES = 128;

export const DEFAULT_FORM_LIMITS: FormLimits = { maxFields: 2000, maxFieldNameBytes: MAX_FIELD_NAME_BYTES };

export type FormLimitReason = 'too_many_fields' | 'field_name_too_long' | 'mixed_field_forms';

/** A form the service refuses to read; `field` names the offending field where there is one. */
export class FormLimitError extends Error {
  constructor(
    readonly reason: FormLimitReason,
    readonly field: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'FormLimitError';
  }
}

const AMPERSAND = 0x26;
const EQUALS = 0x3d;
/** How much of an over-long name an error message shows. */
const NAME_SHOWN_BYTES = 32;

/**
 * Counts the pairs and measures each name in one scan, stopping at the first excess. The scan costs
 * one native search per pair (so at most `maxFields` + 1 of them) and at most `maxFieldNameBytes` + 1
 * bytes read per name, whatever the body holds.
 */
export function checkFormLimits(body: Buffer, limits: FormLimits): void {
  let fields = 0;
  let start = 0;
  while (start < body.length) {
    let end = body.indexOf(AMPERSAND, start);
    if (end === -1) end = body.length;
    if (end > start) {
      if (++fields > limits.maxFields) {
        throw new FormLimitError(
          'too_many_fields',
          undefined,
          `more than ${limits.maxFields} fields (IPN_MAX_FIELDS); 2Checkout never sends that many`,
        );
      }
      const scanEnd = Math.min(end, start + limits.maxFieldNameBytes + 1);
      let nameEnd = start;
      while (nameEnd < scanEnd && body[nameEnd] !== EQUALS) nameEnd++;
      if (nameEnd - start > limits.maxFieldNameBytes) {
        const shown = printable(body.toString('latin1', start, start + NAME_SHOWN_BYTES), NAME_SHOWN_BYTES);
        throw new FormLimitError(
          'field_name_too_long',
          shown,
          `a field name is longer than ${limits.maxFieldNameBytes} bytes (it starts "${shown}")`,
        );
      }
    }
    start = end + 1;
  }
}
