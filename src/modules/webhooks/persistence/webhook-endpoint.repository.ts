import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { DisabledReason, EndpointStatus, WebhookEndpoint } from '../domain/webhook-endpoint';

const COLUMNS = `id, url, events, description, status, disabled_reason AS "disabledReason", disabled_at AS "disabledAt", secret,
  previous_secret AS "previousSecret", previous_secret_until AS "previousSecretUntil", created_at AS "createdAt", updated_at AS "updatedAt"`;

/** What a change may set; `status` moves `disabled_at`/`disabled_reason` with it. */
export interface EndpointChange {
  url?: string;
  events?: readonly string[];
  description?: string | null;
  status?: EndpointStatus;
}

/** Every statement on webhook_endpoint. Each change takes a fresh revision (see Webhooks1764000004000). */
@Injectable()
export class WebhookEndpointRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async create(endpoint: { url: string; events: readonly string[]; description: string | null; secret: string }): Promise<WebhookEndpoint> {
    const [row]: WebhookEndpoint[] = await this.dataSource.query(
      `INSERT INTO webhook_endpoint (url, events, description, secret) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
      [endpoint.url, endpoint.events, endpoint.description, endpoint.secret],
    );
    return row;
  }

  /** Every endpoint, oldest first (an operator's list: tens, not thousands). */
  list(): Promise<WebhookEndpoint[]> {
    return this.dataSource.query(`SELECT ${COLUMNS} FROM webhook_endpoint ORDER BY created_at, id`);
  }

  async find(id: string): Promise<WebhookEndpoint | null> {
    const [row]: WebhookEndpoint[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM webhook_endpoint WHERE id = $1`, [id]);
    return row ?? null;
  }

  /** What changes when anything changes: read at every refresh of the targets, instead of the rows. */
  async version(): Promise<string> {
    const [row]: Array<{ version: string }> = await this.dataSource.query(
      `SELECT coalesce(max(revision), 0) || ':' || count(*) AS version FROM webhook_endpoint`,
    );
    return row.version;
  }

  /** The changed endpoint, null when there is none with this id. Enabling clears the failure clock. */
  async update(id: string, change: EndpointChange, reason: DisabledReason = 'manual'): Promise<WebhookEndpoint | null> {
    const [rows]: [WebhookEndpoint[], number] = await this.dataSource.query(
      `UPDATE webhook_endpoint SET url = coalesce($2, url), events = coalesce($3, events),
         description = CASE WHEN $4::boolean THEN $5 ELSE description END,
         disabled_at = CASE WHEN $6::text IS NULL OR $6 = status THEN disabled_at WHEN $6 = 'disabled' THEN now() END,
         disabled_reason = CASE WHEN $6::text IS NULL OR $6 = status THEN disabled_reason WHEN $6 = 'disabled' THEN $7 END,
         failing_since = CASE WHEN $6 = 'enabled' AND status = 'disabled' THEN NULL ELSE failing_since END,
         status = coalesce($6, status), revision = nextval('webhook_endpoint_revision'), updated_at = now()
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, change.url ?? null, change.events ?? null, 'description' in change, change.description ?? null, change.status ?? null, reason],
    );
    return rows[0] ?? null;
  }

  /** Disabled now (by a 410), unless it already was; true when this call disabled it. */
  async disable(id: string, reason: DisabledReason): Promise<boolean> {
    const [, affected] = await this.dataSource.query(
      `UPDATE webhook_endpoint SET status = 'disabled', disabled_reason = $2, disabled_at = now(),
         revision = nextval('webhook_endpoint_revision'), updated_at = now()
       WHERE id = $1 AND status = 'enabled'`,
      [id, reason],
    );
    return affected > 0;
  }

  /** A new secret; the current one becomes the previous, signing beside it for `overlapMs`. */
  async rotate(id: string, secret: string, overlapMs: number): Promise<WebhookEndpoint | null> {
    const [rows]: [WebhookEndpoint[], number] = await this.dataSource.query(
      `UPDATE webhook_endpoint SET previous_secret = secret, previous_secret_until = now() + $3 * interval '1 millisecond', secret = $2,
         revision = nextval('webhook_endpoint_revision'), updated_at = now()
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, secret, overlapMs],
    );
    return rows[0] ?? null;
  }

  async delete(id: string): Promise<boolean> {
    const [, affected] = await this.dataSource.query(`DELETE FROM webhook_endpoint WHERE id = $1`, [id]);
    return affected > 0;
  }

  /** A 2xx: the failure clock stops (written only when it ran). */
  async succeeded(id: string): Promise<void> {
    await this.dataSource.query(`UPDATE webhook_endpoint SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL`, [id]);
  }

  /**
   * A failed attempt: the failure clock starts at the first failure after the last success; once it has
   * run `disableAfterMs`, the endpoint is disabled (`failing`). Written only on those two occasions.
   * True when this call disabled it.
   */
  async failed(id: string, disableAfterMs: number): Promise<boolean> {
    const [rows]: [Array<{ status: EndpointStatus }>, number] = await this.dataSource.query(
      `UPDATE webhook_endpoint SET failing_since = coalesce(failing_since, now()),
         status = CASE WHEN failing_since IS NULL THEN status ELSE 'disabled' END,
         disabled_reason = CASE WHEN failing_since IS NULL THEN disabled_reason ELSE 'failing' END,
         disabled_at = CASE WHEN failing_since IS NULL THEN disabled_at ELSE now() END,
         revision = CASE WHEN failing_since IS NULL THEN revision ELSE nextval('webhook_endpoint_revision') END
       WHERE id = $1 AND status = 'enabled' AND (failing_since IS NULL OR failing_since <= now() - $2 * interval '1 millisecond')
       RETURNING status`,
      [id, disableAfterMs],
    );
    return rows[0]?.status === 'disabled';
  }

  /** Endpoints disabled after failing for WEBHOOK_DISABLE_AFTER, and not enabled again since. */
  async countDisabledByFailures(): Promise<number> {
    const [row]: Array<{ n: number }> = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM webhook_endpoint WHERE status = 'disabled' AND disabled_reason = 'failing'`,
    );
    return row.n;
  }
}
