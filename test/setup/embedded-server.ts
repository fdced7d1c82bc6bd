import { DatabaseEndpoint, startEmbeddedPostgres } from '../../src/database/embedded-postgres';

/** The variable through which jest's workers learn the URL of the run's embedded server. */
export const EMBEDDED_SERVER_URL = 'IPN_TEST_EMBEDDED_SERVER_URL';

// globalSetup and globalTeardown run in jest's parent process; a global carries the server between them.
const state = globalThis as { ipnEmbeddedServer?: DatabaseEndpoint };

/**
 * jest globalSetup: without DATABASE_URL, one embedded PostgreSQL for the whole run (a throw-away
 * cluster), on which each test file creates its own database. Workers are started after this, so
 * they inherit the variable.
 */
export async function startEmbeddedServer(): Promise<void> {
  if (process.env.DATABASE_URL) return;
  // Several test files run at once, each with an app pool and its own clients.
  state.ipnEmbeddedServer = await startEmbeddedPostgres({ dataDir: 'memory://', settings: { max_connections: '300' } });
  process.env[EMBEDDED_SERVER_URL] = state.ipnEmbeddedServer.url;
}

/** jest globalTeardown: stops the server and removes its cluster. */
export async function stopEmbeddedServer(): Promise<void> {
  await state.ipnEmbeddedServer?.close();
  state.ipnEmbeddedServer = undefined;
  delete process.env[EMBEDDED_SERVER_URL];
}
