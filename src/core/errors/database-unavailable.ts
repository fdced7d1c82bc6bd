/** Network-level error codes from the driver. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'EPIPE']);
/**
 * PostgreSQL's connection exceptions (08), shutdown (57P01-03), insufficient resources (53: too many
 * connections, disk full, out of memory), statement_timeout (57014) and idle_in_transaction_session_timeout (25P03).
 */
const SERVER_GOING_AWAY = /^(08|53|57P0[1-3]|57014|25P03)/;
/** pg's and pg-pool's own: a connection lost, not made in connectionTimeoutMillis, or no answer in query_timeout. */
const DRIVER_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed and is not queryable|Connection is not established|Too many connections|Query read timeout/i;

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  driverError?: unknown;
  cause?: unknown;
}

/** True when an error means the database cannot be reached now (so: 503, and the caller retries). */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  const { code, message, driverError, cause } = error as ErrorLike;
  if (typeof code === 'string' && (UNREACHABLE.has(code) || SERVER_GOING_AWAY.test(code))) return true;
  if (typeof message === 'string' && DRIVER_MESSAGES.test(message)) return true;
  return isDatabaseUnavailable(driverError, depth + 1) || isDatabaseUnavailable(cause, depth + 1);
}

/** The server's time limits: statement_timeout (57014) and idle_in_transaction_session_timeout (25P03). */
const TIME_LIMITS = /^(57014|25P03)$/;
const TIME_LIMIT_MESSAGES = /statement timeout|idle-in-transaction timeout/i;

/**
 * True when the error is one of the server's time limits. On the request path it means 503 like an
 * outage; in a delivery it is usually the delivery's own fault (a slow consumer), so a worker checks
 * whether the database answers others (see DatabaseProbe) before deciding which it is.
 */
export function isDatabaseTimeout(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  const { code, message, driverError, cause } = error as ErrorLike;
  if (typeof code === 'string' && TIME_LIMITS.test(code)) return true;
  if (typeof message === 'string' && TIME_LIMIT_MESSAGES.test(message)) return true;
  return isDatabaseTimeout(driverError, depth + 1) || isDatabaseTimeout(cause, depth + 1);
}

/**
 * PostgreSQL refused a value rather than failed: data exceptions (class 22: too long, out of range,
 * invalid text) and program limits (class 54: an index row or a statement too large). Retrying the
 * same content can only fail the same way.
 */
export function isUnstorableValue(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  const { code, driverError, cause } = error as ErrorLike;
  if (typeof code === 'string' && /^(22|54)[0-9A-Z]{3}$/.test(code)) return true;
  return isUnstorableValue(driverError, depth + 1) || isUnstorableValue(cause, depth + 1);
}
