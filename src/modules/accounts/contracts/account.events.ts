import { DomainEventBase } from '../../../core/events';

export interface AccountDetails {
  accountId: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  country: string | null;
  language: string | null;
  avangateCustomerReference: string | null;
  externalCustomerReference: string | null;
}

/** An end-user account was created (once per customer email), on its first paid order not DENIED for fraud. */
export class AccountCreatedEvent extends DomainEventBase<'account.created', AccountDetails> {
  static readonly NAME = 'account.created';
  static readonly VERSION = 1;
}
