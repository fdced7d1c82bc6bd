import { createHash } from 'node:crypto';
import type { FormBody } from '../../ipn';
import type { LicenseChange } from '../contracts/subscription.events';

/** Bounds on what a subscription holds; an LCN beyond them is dead-lettered, named and explained. */
export const LICENSE_CHANGE_LIMITS = {
  /** LICENSE_CODE: the subscription's key (2Checkout's are short; a key must fit PostgreSQL's index). */
  licenseCode: 255,
  /** EMAIL: indexed here and on the customer's timeline; the longest address SMTP can carry (RFC 5321). */
  email: 254,
  /** Any other field kept: stored and copied into every event about the subscription. */
  text: 1_000,
} as const;

/**
 * The fields an LCN carries, as the merge takes them: a field the LCN does not send is absent
 * (undefined) and changes nothing; one sent empty is null and clears the value. `expiresAt` is only ever
 * a date: an empty EXPIRATION_DATE (a lifetime license) changes no stored expiry.
 */
export interface CarriedFields {
  licenseStatus?: string | null;
  disabled?: boolean;
  email?: string | null;
  gracePeriodDays?: number | null;
  nextRenewalDate?: string | null;
  nextRenewalPrice?: string | null;
  licenseType?: string | null;
  expiresAt?: string;
}

/** One LCN, read. */
export interface LicenseChangeFacts {
  /** What it says (null for absent and empty alike): the payload of license.changed. */
  change: LicenseChange;
  carried: CarriedFields;
  /** Tells LCNs of one DATE_UPDATED apart: a hash of the content, the same whatever the arrival. */
  identity: string;
}

/** Reading an LCN failed: why, in words an operator can act on. */
export class LicenseChangeProblem {
  constructor(readonly reason: string) {}
}

const TEXT_FIELDS = [
  'EXPIRATION_DATE',
  'STATUS',
  'LICENSE_TYPE',
  'CHANGED_BY',
  'DISPATCH_REASON',
  'DATE_UPDATED',
  'LICENSE_GRACE_PERIOD',
  'NEXT_RENEWAL_DATE',
  'NEXT_RENEWAL_PRICE',
] as const;

/** The fields of an LCN (PROTOCOL.md §6, §12); LICENSE_CODE is present (the inbox refuses LCNs without it). */
export function readLicenseChange(form: FormBody): LicenseChangeFacts | LicenseChangeProblem {
  const problem = problemOf(form);
  if (problem) return new LicenseChangeProblem(problem);
  const text = (name: string): string | null => form.first(name)?.trim() || null;
  /** undefined when absent, null when empty. */
  const sent = (name: string): string | null | undefined => (form.has(name) ? text(name) : undefined);
  const grace = text('LICENSE_GRACE_PERIOD');
  const graceDays = grace && /^\d{1,5}$/.test(grace) ? Number(grace) : null;
  const email = text('EMAIL')?.toLowerCase() ?? null;
  const change: LicenseChange = {
    licenseCode: form.first('LICENSE_CODE')!,
    expirationDate: text('EXPIRATION_DATE'),
    status: text('STATUS'),
    disabled: form.first('DISABLED') === '1',
    licenseType: text('LICENSE_TYPE'),
    changedBy: text('CHANGED_BY'),
    dispatchReason: text('DISPATCH_REASON'),
    email,
    dateUpdated: text('DATE_UPDATED'),
    gracePeriodDays: graceDays,
    nextRenewalDate: text('NEXT_RENEWAL_DATE'),
    nextRenewalPrice: text('NEXT_RENEWAL_PRICE'),
  };
  const carried: CarriedFields = {
    licenseStatus: sent('STATUS'),
    disabled: form.has('DISABLED') ? change.disabled : undefined,
    email: form.has('EMAIL') ? email : undefined,
    // A grace period that is not a number of days is not one: it changes nothing.
    gracePeriodDays: grace === null ? (form.has('LICENSE_GRACE_PERIOD') ? null : undefined) : (graceDays ?? undefined),
    nextRenewalDate: sent('NEXT_RENEWAL_DATE'),
    nextRenewalPrice: sent('NEXT_RENEWAL_PRICE'),
    licenseType: sent('LICENSE_TYPE'),
    expiresAt: change.expirationDate ?? undefined,
  };
  for (const name of Object.keys(carried) as Array<keyof CarriedFields>) if (carried[name] === undefined) delete carried[name];
  return { change, carried, identity: createHash('sha256').update(form.encode()).digest('hex').slice(0, 16) };
}

function problemOf(form: FormBody): string | null {
  const tooLong = (name: string, limit: number): string | null => {
    const length = form.first(name)?.trim().length ?? 0;
    return length > limit ? `${name} is ${length} characters long (at most ${limit})` : null;
  };
  const code = form.first('LICENSE_CODE')!.length;
  if (code > LICENSE_CHANGE_LIMITS.licenseCode) {
    return `LICENSE_CODE is ${code} characters long (at most ${LICENSE_CHANGE_LIMITS.licenseCode})`;
  }
  for (const problem of [
    tooLong('EMAIL', LICENSE_CHANGE_LIMITS.email),
    ...TEXT_FIELDS.map((name) => tooLong(name, LICENSE_CHANGE_LIMITS.text)),
  ]) {
    if (problem) return problem;
  }
  return null;
}
