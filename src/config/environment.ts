import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidationError,
  getMetadataStorage,
  validateSync,
} from 'class-validator';
import { ConfigurationError } from './configuration.error';

/** A number of days, hours, minutes or seconds: `7d`, `12h`, `30m`, `90s`. */
export const DURATION = /^\d+\s*(d|h|m|s)$/i;

export const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;

/**
 * Every environment variable the service reads, with its rules. Values arrive as strings; numbers
 * are converted before validation so that the rule, not a NaN, names the problem.
 */
export class Environment {
  @IsOptional()
  @IsInt({ message: 'must be a whole number' })
  @Min(0)
  @Max(65535)
  PORT?: number;

  @IsOptional()
  @IsString()
  @Matches(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  DATA_DIR?: string;

  @IsOptional()
  @IsInt({ message: 'must be a whole number' })
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE?: number;

  @IsOptional()
  @IsInt({ message: 'must be a whole number' })
  @Min(100)
  @Max(600000)
  DATABASE_CONNECT_TIMEOUT_MS?: number;

  @IsOptional()
  @IsInt({ message: 'must be a whole number' })
  @Min(100)
  @Max(3600000)
  DATABASE_STATEMENT_TIMEOUT_MS?: number;

  @IsOptional()
  @IsInt({ message: 'must be a whole number' })
  @Min(1000)
  @Max(600000)
  SHUTDOWN_TIMEOUT_MS?: number;

  @IsString({ message: 'is required: the secret key from Control Panel → Integrations → Webhooks & API' })
  @MinLength(1, { message: 'is required: the secret key from Control Panel → Integrations → Webhooks & API' })
  IPN_SECRET_KEY!: string;

  @IsOptional()
  @IsString()
  IPN_SECRET_KEY_PREVIOUS?: string;

  @IsOptional()
  @IsString()
  IPN_ALGORITHMS?: string;

  @IsOptional()
  @IsString()
  IPN_LISTENERS?: string;

  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9_-]{0,62}$/i, { message: 'must be letters, digits, - or _ (at most 63)' })
  IPN_ACCOUNT?: string;

  @IsOptional()
  @Matches(/^\d+\s*(b|kb|mb)?$/i, { message: 'must be a size such as 1048576, 512kb or 1mb' })
  IPN_MAX_BODY?: string;

  @IsOptional()
  @IsInt({ message: 'must be a whole number' })
  @Min(10)
  @Max(100000)
  IPN_MAX_FIELDS?: number;

  @IsOptional()
  @IsString()
  IPN_ALLOWED_IPS?: string;

  @IsOptional()
  @IsString()
  TRUST_PROXY?: string;

  @IsOptional()
  @IsInt({ message: 'must be a whole number' })
  @Min(1)
  @Max(100000)
  IPN_REFUSALS_PER_MINUTE?: number;

  @IsOptional()
  @IsInt({ message: 'must be a whole number' })
  @Min(1)
  @Max(100000)
  IPN_REFUSAL_RECORDS_PER_MINUTE?: number;

  @IsOptional()
  @IsInt({ message: 'must be a whole number' })
  @Min(1)
  @Max(3650)
  REJECTION_RETENTION_DAYS?: number;

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  ADMIN_TOKEN?: string;

  @IsOptional()
  @IsInt({ message: 'must be a whole number' })
  @Min(1)
  @Max(1000000)
  ADMIN_REQUESTS_PER_MINUTE?: number;

  @IsOptional()
  @IsInt({ message: 'must be a whole number' })
  @Min(1)
  @Max(1000)
  CONSOLE_SIGN_INS_PER_MINUTE?: number;

  @IsOptional()
  @IsInt({ message: 'must be a whole number' })
  @Min(1)
  @Max(1000)
  INGEST_BATCH_MAX?: number;

  @IsOptional()
  @IsInt({ message: 'must be a whole number' })
  @Min(1)
  @Max(64)
  INGEST_CONCURRENT_BATCHES?: number;

  @IsOptional()
  @IsIn(['on', 'off'], { message: 'must be on or off' })
  OUTBOX_RELAY?: 'on' | 'off';

  @IsOptional()
  @IsInt({ message: 'must be a whole number' })
  @Min(10)
  @Max(60000)
  OUTBOX_POLL_MS?: number;

  @IsOptional()
  @IsInt({ message: 'must be a whole number' })
  @Min(1)
  @Max(100)
  OUTBOX_MAX_ATTEMPTS?: number;

  @IsOptional()
  @IsInt({ message: 'must be a whole number' })
  @Min(1)
  @Max(3600000)
  OUTBOX_BACKOFF_MS?: number;

  @IsOptional()
  @Matches(DURATION, { message: 'must be a duration such as 7d, 12h or 30m' })
  EVENT_RETENTION?: string;

  @IsOptional()
  @IsInt({ message: 'must be a whole number' })
  @Min(300)
  @Max(3600000)
  DELIVERY_LEASE_MS?: number;

  @IsOptional()
  @IsInt({ message: 'must be a whole number' })
  @Min(10)
  @Max(3600000)
  SUBSCRIBER_TIMEOUT_MS?: number;

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  EVENTS_TOKEN?: string;

  @IsOptional()
  @IsInt({ message: 'must be a whole number' })
  @Min(1)
  @Max(1000000)
  EVENTS_REQUESTS_PER_MINUTE?: number;

  @IsOptional()
  @Matches(DURATION, { message: 'must be a duration such as 365d, or unset to keep every notification' })
  INBOX_RETENTION?: string;

  @IsOptional()
  @IsInt({ message: 'must be a whole number' })
  @Min(100)
  @Max(600000)
  SMTP_TIMEOUT_MS?: number;

  @IsOptional()
  @IsIn(['COMPLETE', 'PAYMENT_AUTHORIZED'], { message: 'must be COMPLETE or PAYMENT_AUTHORIZED' })
  FULFILLMENT_TRIGGER?: 'COMPLETE' | 'PAYMENT_AUTHORIZED';

  @IsOptional()
  @Matches(/^smtps?:\/\//, { message: 'must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  @IsOptional()
  @IsString()
  @MinLength(3)
  MAIL_FROM?: string;

  @IsOptional()
  @IsIn(['true', 'false'], { message: 'must be true or false' })
  TEST_ORDERS_SEND_MAIL?: 'true' | 'false';

  @IsOptional()
  @IsIn(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL?: (typeof LOG_LEVELS)[number];

  @IsOptional()
  @IsIn(['json', 'pretty'], { message: 'must be json or pretty' })
  LOG_FORMAT?: 'json' | 'pretty';

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  METRICS_TOKEN?: string;

  @IsOptional()
  @Matches(/^(off|0(\.\d+)?|1(\.0+)?)$/, { message: 'must be a fraction between 0 and 1 (0.5 = half refused), or off' })
  ALERT_REFUSAL_RATE?: string;

  @IsOptional()
  @Matches(/^(off|[1-9]\d{0,8})$/, { message: 'must be a whole number of at least 1, or off' })
  ALERT_DEAD_LETTERS?: string;

  @IsOptional()
  @Matches(/^(off|[1-9]\d{0,8})$/, { message: 'must be a whole number of seconds, or off' })
  ALERT_OLDEST_PENDING_SECONDS?: string;

  @IsOptional()
  @Matches(/^(off|[1-9]\d{0,8})$/, { message: 'must be a whole number of milliseconds, or off' })
  ALERT_RECEIPT_P99_MS?: string;

  @IsOptional()
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'must be an http:// or https:// URL' })
  ALERT_WEBHOOK_URL?: string;

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  ALERT_WEBHOOK_SECRET?: string;

  @IsOptional()
  @IsInt({ message: 'must be a whole number' })
  @Min(100)
  @Max(600000)
  ALERT_INTERVAL_MS?: number;

  @IsOptional()
  @Matches(DURATION, { message: 'must be a duration such as 24h, 30m or 0s' })
  WEBHOOK_SECRET_OVERLAP?: string;

  @IsOptional()
  @IsInt({ message: 'must be a whole number' })
  @Min(100)
  @Max(120000)
  WEBHOOK_TIMEOUT_MS?: number;

  @IsOptional()
  @IsString()
  WEBHOOK_RETRY_SCHEDULE?: string;

  @IsOptional()
  @Matches(DURATION, { message: 'must be a duration such as 5d or 12h' })
  WEBHOOK_DISABLE_AFTER?: string;

  @IsOptional()
  @IsIn(['true', 'false'], { message: 'must be true or false' })
  WEBHOOK_ALLOW_PRIVATE?: 'true' | 'false';

  @IsOptional()
  @Matches(DURATION, { message: 'must be a duration such as 5m or 60s' })
  ALERT_WINDOW?: string;

  @IsOptional()
  @Matches(/^amqps?:\/\/[^\s]+$/, { message: 'must be an amqp:// or amqps:// URL' })
  AMQP_URL?: string;

  @IsOptional()
  @IsString()
  AMQP_EXCHANGE?: string;

  @IsOptional()
  @IsString()
  AMQP_EVENTS?: string;

  @IsOptional()
  @IsInt({ message: 'must be a whole number' })
  @Min(100)
  @Max(600000)
  AMQP_CONFIRM_TIMEOUT_MS?: number;

  @IsOptional()
  @IsInt({ message: 'must be a whole number' })
  @Min(1)
  @Max(100)
  AMQP_MAX_ATTEMPTS?: number;

  @IsOptional()
  @IsInt({ message: 'must be a whole number' })
  @Min(100)
  @Max(600000)
  AMQP_RECONNECT_MS?: number;
}

const NUMERIC: ReadonlyArray<keyof Environment> = [
  'PORT',
  'DATABASE_POOL_SIZE',
  'DATABASE_CONNECT_TIMEOUT_MS',
  'DATABASE_STATEMENT_TIMEOUT_MS',
  'SHUTDOWN_TIMEOUT_MS',
  'ADMIN_REQUESTS_PER_MINUTE',
  'CONSOLE_SIGN_INS_PER_MINUTE',
  'INGEST_BATCH_MAX',
  'INGEST_CONCURRENT_BATCHES',
  'OUTBOX_POLL_MS',
  'OUTBOX_MAX_ATTEMPTS',
  'OUTBOX_BACKOFF_MS',
  'DELIVERY_LEASE_MS',
  'SUBSCRIBER_TIMEOUT_MS',
  'EVENTS_REQUESTS_PER_MINUTE',
  'IPN_MAX_FIELDS',
  'IPN_REFUSALS_PER_MINUTE',
  'IPN_REFUSAL_RECORDS_PER_MINUTE',
  'REJECTION_RETENTION_DAYS',
  'SMTP_TIMEOUT_MS',
  'ALERT_INTERVAL_MS',
  'AMQP_CONFIRM_TIMEOUT_MS',
  'AMQP_MAX_ATTEMPTS',
  'AMQP_RECONNECT_MS',
  'WEBHOOK_TIMEOUT_MS',
];

export function readEnvironment(source: NodeJS.ProcessEnv): Environment {
  const environment = new Environment();
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined || value === '' || !(name in PROTOTYPE_KEYS)) continue;
    (environment as unknown as Record<string, unknown>)[name] = NUMERIC.includes(name as keyof Environment) ? toNumber(value) : value;
  }
  const [first] = validateSync(environment, { forbidUnknownValues: false });
  if (first) throw new ConfigurationError(first.property, firstProblem(first));
  return environment;
}

/**
 * The message of the first rule a property broke, in the order the rules are written (class-validator
 * lists them last-written first), without the property name it repeats.
 */
export function firstProblem(error: ValidationError): string {
  const message = Object.values(error.constraints ?? {}).at(-1) ?? 'is invalid';
  return message.startsWith(`${error.property} `) ? message.slice(error.property.length + 1) : message;
}

function toNumber(value: string): number {
  return /^-?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
}

/** The variables declared above; anything else in the environment is not ours and is ignored. */
const PROTOTYPE_KEYS: Record<string, true> = Object.fromEntries(
  getMetadataStorage()
    .getTargetValidationMetadatas(Environment, '', true, false)
    .map((metadata) => [metadata.propertyName, true]),
);

/** Every variable the service reads, as declared above: the configuration reference lists exactly these. */
export const ENVIRONMENT_VARIABLES: readonly string[] = Object.keys(PROTOTYPE_KEYS);
