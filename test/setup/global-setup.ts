import { startEmbeddedServer } from './embedded-server';

/**
 * The embedded server for the run; and, for services that tests start as processes (they inherit this
 * environment), an admin API rate limit no test's reads can reach (the rate-limit test sets its own).
 */
export default async function globalSetup(): Promise<void> {
  process.env.ADMIN_REQUESTS_PER_MINUTE ??= '100000';
  await startEmbeddedServer();
}
