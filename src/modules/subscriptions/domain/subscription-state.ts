import type { SubscriptionOrderKind, SubscriptionStatus } from '../contracts/subscription.events';
import type { CarriedFields, LicenseChangeFacts } from './license-change';
import { LICENSE_CHANGE_LIMITS } from './license-change';
import { Carried, MergeKey, lcnKey, newer, newest, orderKey } from './merge-key';
import { ymdHisOf } from './platform-date';
import { StatusBasis, statusOf } from './subscription-status';

/** The earliest new purchase carrying the license: it starts the subscription. */
export interface StartInput {
  refNo: string;
  key: MergeKey;
  /** Null for subscriptions started before this merge (their product is in `product`). */
  product: { id: string; name: string } | null;
  expiresAt: string | null;
  email: string | null;
}

type LcnField = Exclude<keyof CarriedFields, 'expiresAt'>;

/**
 * What a subscription is merged from: for each field, the newest value carried and the key of its
 * message (domain/merge-key). Each merge keeps the newer of two, so the inputs, and the subscription
 * derived from them, are the same whatever order the messages arrive in.
 */
export type MergeInputs = { [F in LcnField]?: Carried<Exclude<CarriedFields[F], undefined>> } & {
  start?: StartInput;
  cancelAtPeriodEnd?: Carried<boolean>;
  /** LCNs' EXPIRATION_DATE and renewals' or upgrades' IPN_LICENSE_EXP. */
  expiresAt?: Carried<string>;
  /** Renewals' and upgrades' products, keyed `${rank}|${key}`: a renewal's (0) under the start's (1), an upgrade's (2) over it. */
  product?: Carried<{ id: string; name: string }>;
  /** Renewals' and upgrades' emails: used while no LCN carried one. */
  orderEmail?: Carried<string>;
  /** What the newest LCN or renewal or upgrade said about the status (the start's is its own). */
  status?: Carried<StatusBasis>;
  /** The latest grace end the clock reported over (YmdHis). */
  graceElapsed?: string;
};

/** A subscription: its inputs, and what they make of it (stored alongside, for queries). */
export interface SubscriptionState {
  licenseRef: string;
  test: boolean;
  inputs: MergeInputs;
  productId: string | null;
  productName: string | null;
  status: SubscriptionStatus;
  expiresAt: string | null;
  cancelAtPeriodEnd: boolean;
  gracePeriodDays: number | null;
  nextRenewalDate: string | null;
  nextRenewalPrice: string | null;
  licenseStatus: string | null;
  disabled: boolean;
  email: string | null;
  licenseType: string | null;
  /** The order that started it (its earliest new purchase); null while only renewals or LCNs were seen. */
  startedBy: string | null;
  /** When the clock is to expire it (ms): a past-due subscription whose grace period the clock can end. */
  graceEndsAt: number | null;
}

/** One paid order line carrying the license. */
export interface PaidLine {
  refNo: string;
  kind: SubscriptionOrderKind;
  productId: string;
  productName: string;
  licenseExpiresAt: string | null;
  email: string | null;
  /** The order's IPN_DATE (YmdHis). */
  ipnDate: string | null;
}

/** What a change means for the customer: the named subscription events. */
export type SubscriptionTransition = 'started' | 'renewed' | 'upgraded' | 'past_due' | 'expired' | 'canceled' | 'reactivated' | 'suspended';

const LCN_FIELDS: readonly LcnField[] = [
  'licenseStatus',
  'disabled',
  'email',
  'gracePeriodDays',
  'nextRenewalDate',
  'nextRenewalPrice',
  'licenseType',
];

/** The subscription its inputs make (no inputs: a new subscription, active, nothing known). */
export function subscriptionOf(licenseRef: string, test: boolean, inputs: MergeInputs): SubscriptionState {
  const { start } = inputs;
  const fromStart = <T>(value: T | null | undefined, key = start?.key): Carried<T> | undefined =>
    key !== undefined && value !== null && value !== undefined ? { value, key } : undefined;
  const product = newest(inputs.product, fromStart(start?.product, start && `1|${start.key}`))?.value;
  const expiresAt = newest(inputs.expiresAt, fromStart(start?.expiresAt))?.value ?? null;
  const gracePeriodDays = inputs.gracePeriodDays?.value ?? null;
  const basis = newest<StatusBasis>(inputs.status, fromStart<StatusBasis>({ from: 'order' }));
  const { status, graceEndsAt } = statusOf(basis, expiresAt, gracePeriodDays, inputs.graceElapsed);
  return {
    licenseRef,
    test,
    inputs,
    productId: product?.id ?? null,
    productName: product?.name ?? null,
    status,
    expiresAt,
    cancelAtPeriodEnd: inputs.cancelAtPeriodEnd?.value ?? false,
    gracePeriodDays,
    nextRenewalDate: inputs.nextRenewalDate?.value ?? null,
    nextRenewalPrice: inputs.nextRenewalPrice?.value ?? null,
    licenseStatus: inputs.licenseStatus?.value ?? null,
    disabled: inputs.disabled?.value ?? false,
    // An LCN's email (even an empty one) outranks any order's.
    email: inputs.email ? inputs.email.value : (newest(inputs.orderEmail, fromStart(start?.email))?.value ?? null),
    licenseType: inputs.licenseType?.value ?? null,
    startedBy: start?.refNo ?? null,
    graceEndsAt,
  };
}

/**
 * Merges an LCN: each field it carries (an empty one too) replaces the value of an older message; its
 * STATUS, DISABLED and DISPATCH_REASON decide the status if it is the newest message. A scheduled or
 * reverted cancellation is a field of its own: a later LCN does not carry it. Null when it changes
 * nothing (older in every respect, or merged before).
 */
export function applyLicenseChange(state: SubscriptionState, { change, carried, identity }: LicenseChangeFacts): SubscriptionState | null {
  const key = lcnKey(change.dateUpdated, identity);
  const inputs: MergeInputs = { ...state.inputs };
  const fields = inputs as Record<LcnField, Carried<unknown> | undefined>;
  for (const field of LCN_FIELDS) if (carried[field] !== undefined) fields[field] = newer(fields[field], key, carried[field]);
  if (carried.expiresAt !== undefined) inputs.expiresAt = newer(inputs.expiresAt, key, carried.expiresAt);
  const cancellation = cancellationOf(change.dispatchReason);
  if (cancellation !== null) inputs.cancelAtPeriodEnd = newer(inputs.cancelAtPeriodEnd, key, cancellation);
  inputs.status = newer<StatusBasis>(inputs.status, key, {
    from: 'lcn',
    status: change.status,
    reason: change.dispatchReason,
    disabled: change.disabled,
  });
  return changed(state.inputs, inputs) ? subscriptionOf(state.licenseRef, state.test, inputs) : null;
}

/**
 * Merges a paid order line. The earliest new purchase starts the subscription (another one is only
 * linked); a renewal or an upgrade makes it active until the expiry it carries, if it is the newest
 * message; an upgrade moves it to its product. The transition names the line's kind; none for a new
 * purchase that does not start it.
 */
export function applyPaidLine(
  state: SubscriptionState,
  line: PaidLine,
): { next: SubscriptionState; transition: SubscriptionTransition | null } {
  const key = orderKey(line.ipnDate, line.refNo);
  const email = line.email !== null && line.email.length <= LICENSE_CHANGE_LIMITS.email ? line.email.trim().toLowerCase() || null : null;
  const inputs: MergeInputs = { ...state.inputs };
  if (line.kind === 'new') {
    if (!startsSubscription(state, line)) return { next: state, transition: null };
    inputs.start = {
      refNo: line.refNo,
      key,
      product: { id: line.productId, name: line.productName },
      expiresAt: line.licenseExpiresAt,
      email,
    };
  } else {
    inputs.product = newer(inputs.product, `${line.kind === 'upgrade' ? 2 : 0}|${key}`, { id: line.productId, name: line.productName });
    if (line.licenseExpiresAt !== null) inputs.expiresAt = newer(inputs.expiresAt, key, line.licenseExpiresAt);
    if (email !== null) inputs.orderEmail = newer(inputs.orderEmail, key, email);
    inputs.status = newer<StatusBasis>(inputs.status, key, { from: 'order' });
  }
  const next = changed(state.inputs, inputs) ? subscriptionOf(state.licenseRef, state.test, inputs) : state;
  return { next, transition: line.kind === 'new' ? 'started' : line.kind === 'renewal' ? 'renewed' : 'upgraded' };
}

/**
 * Whether a new purchase starts the subscription: none did, or only a later one. (The start only
 * moves earlier, so a committed state that says no stays right.)
 */
export function startsSubscription(
  state: Pick<SubscriptionState, 'inputs'> | undefined,
  line: Pick<PaidLine, 'ipnDate' | 'refNo'>,
): boolean {
  const start = state?.inputs.start;
  return start === undefined || orderKey(line.ipnDate, line.refNo) < start.key;
}

/**
 * The subscription once the clock reported its grace period over at `endedAt` (ms): a past-due
 * subscription whose grace period ends by then expires, unless a message dated later decides (a
 * renewal, a reactivation, a longer grace period). Null when this was reported before.
 */
export function expireAfterGrace(state: SubscriptionState, endedAt: number): SubscriptionState | null {
  const elapsed = ymdHisOf(endedAt);
  if (state.inputs.graceElapsed !== undefined && state.inputs.graceElapsed >= elapsed) return null;
  return subscriptionOf(state.licenseRef, state.test, { ...state.inputs, graceElapsed: elapsed });
}

/** The status shown: an expiry of a subscription the customer had asked to stop at period end is a cancellation. */
export function statusShown(state: Pick<SubscriptionState, 'status' | 'cancelAtPeriodEnd'>): SubscriptionStatus {
  return state.status === 'expired' && state.cancelAtPeriodEnd ? 'canceled' : state.status;
}

/** What an LCN's change means for the customer (order-driven changes name themselves). */
export function transitionsOf(before: SubscriptionState, after: SubscriptionState): SubscriptionTransition[] {
  const transitions: SubscriptionTransition[] = [];
  const held = (status: SubscriptionStatus) => status === 'disabled' || status === 'pending_activation';
  if (after.status !== before.status) {
    if (after.status === 'past_due') transitions.push('past_due');
    if (after.status === 'expired') transitions.push('expired');
    if (after.status === 'disabled') transitions.push('suspended');
    if (held(before.status) && (after.status === 'active' || after.status === 'past_due')) transitions.push('reactivated');
  }
  if (after.cancelAtPeriodEnd && !before.cancelAtPeriodEnd) transitions.push('canceled');
  if (!after.cancelAtPeriodEnd && before.cancelAtPeriodEnd && !transitions.includes('reactivated')) transitions.push('reactivated');
  return transitions;
}

/** Scheduling a cancellation sets cancel-at-period-end, reverting it clears it; other reasons leave it. */
function cancellationOf(reason: string | null): boolean | null {
  if (reason === 'SCHEDULED_FOR_CANCELATION_ON_DEMAND') return true;
  if (reason === 'REVERT_CANCELATION_ON_DEMAND') return false;
  return null;
}

/** A merge kept or replaced each input as a whole, so comparing them by identity finds what changed. */
function changed(before: MergeInputs, after: MergeInputs): boolean {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]) as Set<keyof MergeInputs>;
  for (const key of keys) if (before[key] !== after[key]) return true;
  return false;
}
