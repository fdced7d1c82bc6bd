import type { ModuleMetadata } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { CreateAppOptions, createApp } from '../../src/bootstrap';
import { AppConfig, loadConfig } from '../../src/config/app.config';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';

export const TEST_SECRET_KEY = 'test-secret-key-ünïcode-0123456789';
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  baseUrl: string;
  close(): Promise<void>;
}

/** The real app (built like main.ts), on a real port, against the given database. */
export async function createTestApp(
  database: DatabaseEndpoint,
  env: NodeJS.ProcessEnv = {},
  extensions: ModuleMetadata['imports'] = [],
  options: CreateAppOptions = {},
): Promise<TestApp> {
  const config = loadConfig({
    IPN_SECRET_KEY: TEST_SECRET_KEY,
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    LOG_LEVEL: 'error',
    // Tests read many orders back through the admin API; the admin API's rate-limit test sets its own.
    ADMIN_REQUESTS_PER_MINUTE: '100000',
    ...env,
  });
  const app = await createApp(config, database, extensions, options);
  await app.listen(0, '127.0.0.1');
  const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, config, baseUrl, close: () => app.close() };
}

/** POSTs a form body the way 2Checkout does. */
export function postForm(url: string, body: string | Buffer, contentType = 'application/x-www-form-urlencoded') {
  return fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
}
