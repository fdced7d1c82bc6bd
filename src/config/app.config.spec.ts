import { inspect } from 'node:util';
import { loadConfig } from './app.config';

const SECRET = 'super-secret-key-value';
const base = { IPN_SECRET_KEY: SECRET };

describe('loadConfig', () => {
  it('gives the documented defaults', () => {
    const config = loadConfig(base);
    expect(config.port).toBe(3000);
    expect(config.database).toEqual({ url: undefined, dataDir: './data', poolSize: 10, timeouts: { connectMs: 3000, statementMs: 5000 } });
    expect(config.ipn.maxBodyBytes).toBe(1024 * 1024);
    expect(config.ipn.groupCommit).toEqual({ maxBatch: 64, maxConcurrentBatches: 2 });
    expect(config.ipn.listeners.get('default')?.algorithms).toEqual(['sha3-256', 'sha256']);
    expect(config.adminToken).toBeUndefined();
  });

  it.each([
    [{}, /^IPN_SECRET_KEY: is required/],
    [{ ...base, PORT: 'eighty' }, /^PORT: must be a whole number/],
    [{ ...base, PORT: '70000' }, /^PORT: /],
    [{ ...base, DATABASE_URL: 'mysql://x' }, /^DATABASE_URL: must be a postgres:\/\/ URL/],
    [{ ...base, IPN_ALGORITHMS: 'sha1' }, /^IPN_ALGORITHMS: "sha1" is not an algorithm/],
    [{ ...base, IPN_MAX_BODY: 'lots' }, /^IPN_MAX_BODY: must be a size/],
    [{ ...base, IPN_MAX_BODY: '10' }, /^IPN_MAX_BODY: must be at least 1kb/],
    [{ ...base, LOG_LEVEL: 'chatty' }, /^LOG_LEVEL: must be one of/],
    [{ ...base, INGEST_BATCH_MAX: '0' }, /^INGEST_BATCH_MAX: /],
    [{ ...base, INGEST_CONCURRENT_BATCHES: 'two' }, /^INGEST_CONCURRENT_BATCHES: must be a whole number/],
    [{ ...base, ADMIN_TOKEN: 'short' }, /^ADMIN_TOKEN: must be at least 16 characters/],
    [{ ...base, IPN_LISTENERS: '{nope' }, /^IPN_LISTENERS: must be a JSON array/],
    [{ ...base, IPN_LISTENERS: '[{"name":"eu"}]' }, /^IPN_LISTENERS: entry 0, secretKey: is needed/],
    [{ ...base, IPN_LISTENERS: '[{"name":"a b","secretKey":"k"}]' }, /^IPN_LISTENERS: entry 0, name: must be letters/],
    [{ ...base, IPN_LISTENERS: '[{"name":"default","secretKey":"k"}]' }, /^IPN_LISTENERS: listener name "default" is used twice/],
    [{ ...base, IPN_LISTENERS: '[{"name":"x","secretKey":"k","algorithms":["crc"]}]' }, /^IPN_LISTENERS entry 0 algorithms: "crc"/],
    [{ ...base, IPN_MAX_FIELDS: '5' }, /^IPN_MAX_FIELDS: /],
    [{ ...base, IPN_ALLOWED_IPS: '91.220.121.0/24,91.220.121.0/33' }, /^IPN_ALLOWED_IPS: "91.220.121.0\/33" is not/],
    [{ ...base, TRUST_PROXY: 'true' }, /^TRUST_PROXY: /],
    [{ ...base, IPN_REFUSALS_PER_MINUTE: 'many' }, /^IPN_REFUSALS_PER_MINUTE: must be a whole number/],
    [{ ...base, IPN_REFUSAL_RECORDS_PER_MINUTE: '0' }, /^IPN_REFUSAL_RECORDS_PER_MINUTE: /],
    [{ ...base, REJECTION_RETENTION_DAYS: '0' }, /^REJECTION_RETENTION_DAYS: /],
    [{ ...base, DATABASE_CONNECT_TIMEOUT_MS: '3s' }, /^DATABASE_CONNECT_TIMEOUT_MS: must be a whole number/],
    [{ ...base, DATABASE_STATEMENT_TIMEOUT_MS: '10' }, /^DATABASE_STATEMENT_TIMEOUT_MS: /],
    [{ ...base, SHUTDOWN_TIMEOUT_MS: '0' }, /^SHUTDOWN_TIMEOUT_MS: /],
    [{ ...base, ADMIN_REQUESTS_PER_MINUTE: 'lots' }, /^ADMIN_REQUESTS_PER_MINUTE: must be a whole number/],
    [{ ...base, CONSOLE_SIGN_INS_PER_MINUTE: '0' }, /^CONSOLE_SIGN_INS_PER_MINUTE: /],
    [{ ...base, WEBHOOK_SECRET_OVERLAP: '1 day' }, /^WEBHOOK_SECRET_OVERLAP: must be a duration/],
    [{ ...base, WEBHOOK_TIMEOUT_MS: '15s' }, /^WEBHOOK_TIMEOUT_MS: must be a whole number/],
    [{ ...base, WEBHOOK_RETRY_SCHEDULE: '5s,5 minutes' }, /^WEBHOOK_RETRY_SCHEDULE: entry 2 \("5 minutes"\) is not a duration/],
    [{ ...base, WEBHOOK_DISABLE_AFTER: '5' }, /^WEBHOOK_DISABLE_AFTER: must be a duration/],
    [{ ...base, WEBHOOK_ALLOW_PRIVATE: 'yes' }, /^WEBHOOK_ALLOW_PRIVATE: must be true or false/],
  ])('stops on a bad value, naming the variable (%j)', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('gives the webhook defaults, and reads each', () => {
    expect(loadConfig(base).webhooks).toEqual({
      secretOverlapMs: 86_400_000,
      timeoutMs: 15_000,
      retryScheduleMs: [5000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000],
      disableAfterMs: 5 * 86_400_000,
      allowPrivate: false,
    });
    const set = loadConfig({
      ...base,
      WEBHOOK_SECRET_OVERLAP: '2h',
      WEBHOOK_TIMEOUT_MS: '500',
      WEBHOOK_RETRY_SCHEDULE: '100ms,1s',
      WEBHOOK_DISABLE_AFTER: '30s',
      WEBHOOK_ALLOW_PRIVATE: 'true',
    });
    expect(set.webhooks).toEqual({
      secretOverlapMs: 7_200_000,
      timeoutMs: 500,
      retryScheduleMs: [100, 1000],
      disableAfterMs: 30_000,
      allowPrivate: true,
    });
  });

  it('bounds database waits, shutdown and admin calls by default, and reads each', () => {
    const defaults = loadConfig(base);
    expect([defaults.shutdownTimeoutMs, defaults.adminRequestsPerMinute, defaults.consoleSignInsPerMinute]).toEqual([9000, 60, 10]);
    const set = loadConfig({
      ...base,
      DATABASE_CONNECT_TIMEOUT_MS: '1500',
      DATABASE_STATEMENT_TIMEOUT_MS: '20000',
      SHUTDOWN_TIMEOUT_MS: '30000',
      ADMIN_REQUESTS_PER_MINUTE: '600',
      CONSOLE_SIGN_INS_PER_MINUTE: '3',
    });
    expect(set.database.timeouts).toEqual({ connectMs: 1500, statementMs: 20000 });
    expect([set.shutdownTimeoutMs, set.adminRequestsPerMinute, set.consoleSignInsPerMinute]).toEqual([30000, 600, 3]);
  });

  it('takes notifications from anyone, trusts no proxy, and bounds refusals by default', () => {
    const { ipn, trustProxy } = loadConfig(base);
    expect(ipn.formLimits).toEqual({ maxFields: 2000, maxFieldNameBytes: 128 });
    expect(ipn.allowedSenders).toBeUndefined();
    expect(ipn.refusalsPerMinute).toBe(30);
    expect(ipn.refusalRecordsPerMinute).toBe(100);
    expect(ipn.rejectionRetentionDays).toBe(30);
    expect(trustProxy).toBe(false);
  });

  it('reads the sender allowlist, the trusted proxies and the refusal bounds', () => {
    const { ipn, trustProxy } = loadConfig({
      ...base,
      IPN_MAX_FIELDS: '500',
      IPN_ALLOWED_IPS: '91.220.121.0/24,2001:db8::/32',
      TRUST_PROXY: 'loopback',
      IPN_REFUSALS_PER_MINUTE: '5',
      IPN_REFUSAL_RECORDS_PER_MINUTE: '20',
      REJECTION_RETENTION_DAYS: '7',
    });
    expect(ipn.formLimits.maxFields).toBe(500);
    expect(ipn.allowedSenders?.ranges).toEqual(['91.220.121.0/24', '2001:db8::/32']);
    expect(ipn.allowedSenders?.includes('2001:db8::7')).toBe(true);
    expect(trustProxy).toEqual(['loopback']);
    expect(ipn.refusalsPerMinute).toBe(5);
    expect(ipn.refusalRecordsPerMinute).toBe(20);
    expect(ipn.rejectionRetentionDays).toBe(7);
  });

  it('never puts a secret in an error message', () => {
    const secretListener = JSON.stringify([{ name: 'x', secretKey: SECRET, algorithms: ['nope'] }]);
    expect(() => loadConfig({ ...base, IPN_LISTENERS: secretListener })).toThrow(
      expect.objectContaining({
        message: expect.not.stringContaining(SECRET),
      }),
    );
  });

  it('reads further listeners with several keys, and the previous default key during a rotation', () => {
    const config = loadConfig({
      ...base,
      IPN_SECRET_KEY_PREVIOUS: 'old-key',
      IPN_ALGORITHMS: 'SHA256, md5',
      IPN_LISTENERS: JSON.stringify([{ name: 'eu', secretKeys: ['a', 'b'], algorithms: ['sha3-256'] }]),
    });
    const defaults = config.ipn.listeners.get('default')!;
    expect(defaults.algorithms).toEqual(['sha256', 'md5']);
    expect(defaults.secretKeys.map((key) => key.reveal().toString())).toEqual([SECRET, 'old-key']);
    const eu = config.ipn.listeners.get('eu')!;
    expect(eu.secretKeys.map((key) => key.reveal().toString())).toEqual(['a', 'b']);
    expect(eu.algorithms).toEqual(['sha3-256']);
  });

  it('prints secrets as [secret] in logs and JSON', () => {
    const config = loadConfig({ ...base, ADMIN_TOKEN: 'admin-token-0123456789' });
    const printed = [inspect(config, { depth: 10 }), JSON.stringify({ ...config, listeners: [...config.ipn.listeners.values()] })];
    for (const text of printed) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('admin-token-0123456789');
    }
  });
});
