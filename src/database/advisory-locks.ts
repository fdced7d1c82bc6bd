/**
 * The service's PostgreSQL advisory locks, all in the two-key form (`pg_advisory_lock(int4, int4)`): the
 * first key names the use, so no two uses collide, nor any lock taken in the one-key (bigint) form.
 * Advisory locks belong to one database: services on other databases of the server never meet these.
 */
export const ADVISORY_LOCK_SPACE = {
  /** Held around `runMigrations` (second key 0). */
  migrations: 1_764_000_001,
  /** One per alert (second key: see alertLockKey): held by the instance that evaluates that alert. */
  alerts: 1_764_000_002,
} as const;
