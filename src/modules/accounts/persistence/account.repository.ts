import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AccountDetails } from '../contracts/account.events';

/**
 * One statement: the accounts by email, created when new (the no-op update returns and locks an
 * existing one, in email order so that concurrent batches lock in the same order), and the orders
 * linked to them.
 */
const FIND_OR_CREATE_AND_LINK = `
  WITH account AS (
    INSERT INTO account AS a (email, first_name, last_name, company, country, language,
      avangate_customer_reference, external_customer_reference, test)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::boolean[])
    ORDER BY 1
    ON CONFLICT (email) DO UPDATE SET email = a.email
    RETURNING id, email, (xmax = 0) AS created),
  link AS (
    INSERT INTO account_order (ref_no, account_id)
    SELECT o.ref_no, account.id FROM unnest($10::text[], $11::text[]) AS o(ref_no, email) JOIN account USING (email)
    ON CONFLICT (ref_no) DO NOTHING)
  SELECT id, email, created FROM account`;

export type AccountProfile = Omit<AccountDetails, 'accountId'>;

/** Every statement that writes accounts and their order links. */
@Injectable()
export class AccountRepository {
  /** The accounts of these profiles (one per email), created when new; the orders linked to them. */
  async findOrCreateAndLink(
    manager: EntityManager,
    accounts: ReadonlyArray<{ profile: AccountProfile; test: boolean }>,
    links: ReadonlyArray<{ refNo: string; email: string }>,
  ): Promise<Array<{ id: string; email: string; created: boolean }>> {
    const column = <T>(pick: (profile: AccountProfile) => T): T[] => accounts.map(({ profile }) => pick(profile));
    return manager.query(FIND_OR_CREATE_AND_LINK, [
      column((profile) => profile.email),
      column((profile) => profile.firstName),
      column((profile) => profile.lastName),
      column((profile) => profile.company),
      column((profile) => profile.country),
      column((profile) => profile.language),
      column((profile) => profile.avangateCustomerReference),
      column((profile) => profile.externalCustomerReference),
      accounts.map((account) => account.test),
      links.map((link) => link.refNo),
      links.map((link) => link.email),
    ]);
  }

  /** Takes these orders off their accounts (the accounts stay). */
  async unlink(manager: EntityManager, refNos: readonly string[]): Promise<void> {
    await manager.query(`DELETE FROM account_order WHERE ref_no = ANY($1::text[])`, [refNos]);
  }
}
