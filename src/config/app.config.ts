import type { LogLevel } from '@nestjs/common';
import { type FormLimits, type SignatureAlgorithm, MAX_FIELD_NAME_BYTES } from '../modules/ipn/protocol';
import { AmqpConfig, amqpConfig } from './amqp.config';
import { CidrList } from './cidr-list';
import { ConfigurationError } from './configuration.error';
import { Environment, LOG_LEVELS, readEnvironment } from './environment';
import { ListenerConfig, ListenerDraft, assignAccounts, parseAlgorithms, parseListeners } from './listeners.config';
import { ObservabilityConfig, observabilityConfig } from './observability.config';
import { parseRetrySchedule } from './retry-schedule';
import { Secret } from './secret';
import { TrustProxy, parseTrustProxy } from './trust-proxy';

export type { AmqpConfig } from './amqp.config';
export type { ListenerConfig } from './listeners.config';
export type { AlertThresholds, ObservabilityConfig } from './observability.config';

export interface AppConfig {
  readonly port: number;
  readonly logLevels: LogLevel[];
  readonly database: {
    /** Unset: the embedded PostgreSQL under `dataDir`. */
    readonly url: string | undefined;
    readonly dataDir: string;
    readonly poolSize: number;
    /** A statement, or a connection, that takes longer fails: the request gets 503 (DATABASE_*_TIMEOUT_MS). */
    readonly timeouts: { readonly connectMs: number; readonly statementMs: number };
  };
  readonly ipn: {
    /** By name, in configuration order (the default listener first); each with its account. */
    readonly listeners: ReadonlyMap<string, ListenerConfig>;
    readonly maxBodyBytes: number;
    /** Group commit of the ingest transaction: notifications arriving together share one. */
    readonly groupCommit: { readonly maxBatch: number; readonly maxConcurrentBatches: number };
    /** Checked on the raw body before it is parsed (IPN_MAX_FIELDS, MAX_FIELD_NAME_BYTES). */
    readonly formLimits: FormLimits;
    /** Unset: notifications are taken from any address (IPN_ALLOWED_IPS). */
    readonly allowedSenders: CidrList | undefined;
    /**
     * Refusals of one sender (IPv4 address, IPv6 /64) within a minute before its further refusals are
     * answered 429 and only counted. Consulted only once a request is refused: never for authentic ones.
     */
    readonly refusalsPerMinute: number;
    /** Refusals recorded one by one (a row and a log line each) in a minute, whatever the senders; the rest are counted. */
    readonly refusalRecordsPerMinute: number;
    /** Recorded refusals older than this are deleted. */
    readonly rejectionRetentionDays: number;
  };
  /** Which proxies may tell the client address through X-Forwarded-For (TRUST_PROXY); off by default. */
  readonly trustProxy: TrustProxy;
  readonly events: {
    /** Off: this process only ingests; another process (with it on) delivers the outbox. */
    readonly relay: boolean;
    readonly pollMs: number;
    readonly maxAttempts: number;
    /** Delay before the first retry; doubled after each further failure. */
    readonly backoffMs: number;
    /** Delivered events older than this are deleted. */
    readonly retentionMs: number;
  };
  /** The delivery stage: everything that leaves the database after the commit. */
  readonly delivery: {
    /** A worker's hold on a target or an item, renewed every third of it while the work runs. */
    readonly leaseMs: number;
    /** An in-process subscriber's delivery is cut off after this (its database session ended). */
    readonly subscriberTimeoutMs: number;
    /** Connections subscribers hold at once, at most: a quarter of the pool (at least one). */
    readonly subscriberConnections: number;
  };
  /** The event feed (GET /api/events): a read-only token of its own and its budget per minute. */
  readonly feed: {
    readonly token: Secret | undefined;
    readonly requestsPerMinute: number;
  };
  /** Unset: stored notifications are kept for ever (they are the business record). */
  readonly inboxRetentionMs: number | undefined;
  readonly fulfillment: { readonly trigger: 'COMPLETE' | 'PAYMENT_AUTHORIZED' };
  /** Unset: customer messages are persisted and logged, not mailed. */
  readonly mail: {
    readonly smtpUrl: Secret | undefined;
    readonly from: string;
    readonly timeoutMs: number;
    /** TEST orders' messages are mailed too (TEST_ORDERS_SEND_MAIL=true); otherwise they are recorded and logged only. */
    readonly testOrdersSendMail: boolean;
  };
  /** Unset (no AMQP_URL): events are not published to a broker, and nothing connects to one. */
  readonly amqp: AmqpConfig | undefined;
  /** Signed webhooks (Standard Webhooks) to the endpoints registered through /api/webhooks. */
  readonly webhooks: {
    /** After a rotation, the previous secret signs beside the new one for this long. */
    readonly secretOverlapMs: number;
    /** A delivery that has no 2xx answer within this fails. */
    readonly timeoutMs: number;
    /** Waits between attempts, one retry per entry; after the last, the delivery is dead. */
    readonly retryScheduleMs: readonly number[];
    /** An endpoint with no success for this long since its first failure is disabled (and an alert raised). */
    readonly disableAfterMs: number;
    /** Loopback, private and link-local destinations allowed (development and tests only). */
    readonly allowPrivate: boolean;
  };
  /** Unset: the admin API answers 401 to everyone. */
  readonly adminToken: Secret | undefined;
  /** Log format, the metrics token, alert thresholds and their webhook. */
  readonly observability: ObservabilityConfig;
  /** Admin API calls per minute for one token and address (429 beyond). */
  readonly adminRequestsPerMinute: number;
  /** Console sign-in attempts per address (right or wrong token) within a minute (429 beyond). */
  readonly consoleSignInsPerMinute: number;
  /** From SIGTERM/SIGINT to exit at the latest: past it, the process exits with code 1. */
  readonly shutdownTimeoutMs: number;
}

export const APP_CONFIG = Symbol('APP_CONFIG');
export const DEFAULT_LISTENER = 'default';
const DEFAULT_ALGORITHMS: SignatureAlgorithm[] = ['sha3-256', 'sha256'];

/** Reads and validates the whole configuration once; a bad value throws naming the variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  const env = readEnvironment(source);
  const defaultListener: ListenerDraft = {
    name: DEFAULT_LISTENER,
    secretKeys: [env.IPN_SECRET_KEY, env.IPN_SECRET_KEY_PREVIOUS].filter(isSet).map((key) => new Secret(key)),
    algorithms: env.IPN_ALGORITHMS ? parseAlgorithms('IPN_ALGORITHMS', env.IPN_ALGORITHMS) : DEFAULT_ALGORITHMS,
    ...(env.IPN_ACCOUNT !== undefined && { account: env.IPN_ACCOUNT }),
  };
  const drafts = new Map([[DEFAULT_LISTENER, defaultListener]]);
  for (const listener of env.IPN_LISTENERS ? parseListeners(env.IPN_LISTENERS, DEFAULT_ALGORITHMS) : []) {
    if (drafts.has(listener.name)) {
      throw new ConfigurationError('IPN_LISTENERS', `listener name "${listener.name}" is used twice`);
    }
    drafts.set(listener.name, listener);
  }
  const listeners = new Map(assignAccounts([...drafts.values()]).map((listener) => [listener.name, listener]));
  return {
    port: env.PORT ?? 3000,
    logLevels: logLevelsFrom(env),
    database: {
      url: env.DATABASE_URL,
      dataDir: env.DATA_DIR ?? './data',
      poolSize: env.DATABASE_POOL_SIZE ?? 10,
      timeouts: { connectMs: env.DATABASE_CONNECT_TIMEOUT_MS ?? 3000, statementMs: env.DATABASE_STATEMENT_TIMEOUT_MS ?? 5000 },
    },
    ipn: {
      listeners,
      maxBodyBytes: parseSize(env.IPN_MAX_BODY ?? '1mb'),
      groupCommit: { maxBatch: env.INGEST_BATCH_MAX ?? 64, maxConcurrentBatches: env.INGEST_CONCURRENT_BATCHES ?? 2 },
      formLimits: { maxFields: env.IPN_MAX_FIELDS ?? 2000, maxFieldNameBytes: MAX_FIELD_NAME_BYTES },
      allowedSenders: env.IPN_ALLOWED_IPS ? CidrList.parse('IPN_ALLOWED_IPS', env.IPN_ALLOWED_IPS) : undefined,
      refusalsPerMinute: env.IPN_REFUSALS_PER_MINUTE ?? 30,
      refusalRecordsPerMinute: env.IPN_REFUSAL_RECORDS_PER_MINUTE ?? 100,
      rejectionRetentionDays: env.REJECTION_RETENTION_DAYS ?? 30,
    },
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    events: {
      relay: env.OUTBOX_RELAY !== 'off',
      pollMs: env.OUTBOX_POLL_MS ?? 500,
      maxAttempts: env.OUTBOX_MAX_ATTEMPTS ?? 10,
      backoffMs: env.OUTBOX_BACKOFF_MS ?? 1000,
      retentionMs: parseDuration(env.EVENT_RETENTION ?? '7d'),
    },
    delivery: {
      leaseMs: env.DELIVERY_LEASE_MS ?? 30_000,
      subscriberTimeoutMs: env.SUBSCRIBER_TIMEOUT_MS ?? 30_000,
      subscriberConnections: Math.max(1, Math.floor((env.DATABASE_POOL_SIZE ?? 10) / 4)),
    },
    feed: {
      token: env.EVENTS_TOKEN ? new Secret(env.EVENTS_TOKEN) : undefined,
      requestsPerMinute: env.EVENTS_REQUESTS_PER_MINUTE ?? 600,
    },
    inboxRetentionMs: env.INBOX_RETENTION ? parseDuration(env.INBOX_RETENTION) : undefined,
    fulfillment: { trigger: env.FULFILLMENT_TRIGGER ?? 'COMPLETE' },
    // The SMTP URL may carry a password.
    mail: {
      smtpUrl: env.SMTP_URL ? new Secret(env.SMTP_URL) : undefined,
      from: env.MAIL_FROM ?? 'no-reply@localhost',
      timeoutMs: env.SMTP_TIMEOUT_MS ?? 10_000,
      testOrdersSendMail: env.TEST_ORDERS_SEND_MAIL === 'true',
    },
    amqp: amqpConfig(env),
    webhooks: {
      secretOverlapMs: parseDuration(env.WEBHOOK_SECRET_OVERLAP ?? '24h'),
      timeoutMs: env.WEBHOOK_TIMEOUT_MS ?? 15_000,
      retryScheduleMs: parseRetrySchedule('WEBHOOK_RETRY_SCHEDULE', env.WEBHOOK_RETRY_SCHEDULE ?? '5s,5m,30m,2h,5h,10h,10h'),
      disableAfterMs: parseDuration(env.WEBHOOK_DISABLE_AFTER ?? '5d'),
      allowPrivate: env.WEBHOOK_ALLOW_PRIVATE === 'true',
    },
    adminToken: env.ADMIN_TOKEN ? new Secret(env.ADMIN_TOKEN) : undefined,
    observability: observabilityConfig(env, parseDuration),
    adminRequestsPerMinute: env.ADMIN_REQUESTS_PER_MINUTE ?? 60,
    consoleSignInsPerMinute: env.CONSOLE_SIGN_INS_PER_MINUTE ?? 10,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS ?? 9000,
  };
}

function parseSize(text: string): number {
  const [, digits, unit = 'b'] = /^(\d+)\s*(b|kb|mb)?$/i.exec(text.trim()) ?? [];
  const factor = { b: 1, kb: 1024, mb: 1024 * 1024 }[unit.toLowerCase() as 'b' | 'kb' | 'mb'];
  const bytes = Number(digits) * factor;
  if (!(bytes >= 1024)) throw new ConfigurationError('IPN_MAX_BODY', 'must be at least 1kb');
  return bytes;
}

/** Milliseconds of a duration already checked against DURATION. */
function parseDuration(text: string): number {
  const [, amount, unit] = /^(\d+)\s*(d|h|m|s)$/i.exec(text.trim())!;
  return Number(amount) * { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 }[unit.toLowerCase() as 'd' | 'h' | 'm' | 's'];
}

function logLevelsFrom(env: Environment): LogLevel[] {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(env.LOG_LEVEL ?? 'log') + 1) as LogLevel[];
}

function isSet(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}
