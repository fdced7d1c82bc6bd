import type { FormBody } from '../../ipn';
import type { LicenseChange } from '../contracts/subscription.events';

/** Longest LICENSE_CODE kept (2Checkout's are short; a key must fit PostgreSQL's index). */
export const MAX_LICENSE_CODE = 255;

/** The fields of an LCN (PROTOCOL.md §6, §12); LICENSE_CODE is present (the inbox refuses LCNs without it). */
export function readLicenseChange(form: FormBody): LicenseChange {
  const text = (name: string): string | null => form.first(name)?.trim() || null;
  const grace = text('LICENSE_GRACE_PERIOD');
  return {
    licenseCode: form.first('LICENSE_CODE')!,
    expirationDate: text('EXPIRATION_DATE'),
    status: text('STATUS'),
    disabled: form.first('DISABLED') === '1',
    licenseType: text('LICENSE_TYPE'),
    changedBy: text('CHANGED_BY'),
    dispatchReason: text('DISPATCH_REASON'),
    email: text('EMAIL')?.toLowerCase() ?? null,
    dateUpdated: text('DATE_UPDATED'),
    gracePeriodDays: grace && /^\d{1,5}$/.test(grace) ? Number(grace) : null,
    nextRenewalDate: text('NEXT_RENEWAL_DATE'),
    nextRenewalPrice: text('NEXT_RENEWAL_PRICE'),
  };
}
