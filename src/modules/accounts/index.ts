export { AccountsModule } from './accounts.module';
export type { AccountView } from './application/accounts.query';
export { AccountsQuery } from './application/accounts.query';
export * from './contracts/account.events';
