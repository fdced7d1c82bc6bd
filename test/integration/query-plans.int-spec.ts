import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from 'pg';
import { DataSource, Logger as TypeOrmLogger } from 'typeorm';
import { sampleLcn, signForm } from '../../src/cli/sample-notification';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { TEST_ADMIN_TOKEN, TEST_SECRET_KEY, TestApp, createTestApp, postForm } from '../setup/create-test-app';
import { newOrder, sendStatus } from '../setup/lifecycle';
import { fillRealisticRows } from '../setup/realistic-rows';
import { provisionTestDatabase } from '../setup/test-database';

/**
 * Issue 17: the statements run per notification or batch (inbox insert, the relay's chain, the event
 * log, the delivery stage) keep their index plans on a database whose tables grew by inserts after the
 * migrations and were never analyzed (autovacuum off): no column statistics, only page counts. The
 * statements are the code's own: captured as the app runs them (a query logger on its DataSource) while
 * it receives and processes a backlog of notifications, then each one is EXPLAINed with the parameters
 * it ran with, on the planner's defaults.
 */

const ORDERS = 20_000;
/** Tables holding fewer rows than this may be scanned: a scan of a few pages is what an index costs. */
const BIG_TABLE_ROWS = 1_000;
/** Notifications stored while the relay is off: the second app processes them in full batches. */
const BACKLOG = 150;

interface Captured {
  readonly sql: string;
  readonly parameters: unknown[];
}

/** Every statement the app's DataSource runs, with its parameters, once switched on. */
class StatementCapture implements TypeOrmLogger {
  static readonly statements = new Map<string, Captured>();
  static on = false;

  logQuery(sql: string, parameters?: unknown[]): void {
    if (!StatementCapture.on || !/^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b/i.test(sql)) return;
    const previous = StatementCapture.statements.get(sql);
    // The largest run of each statement: a batch's arrays, not a lone notification's.
    if (!previous || weight(parameters ?? []) > weight(previous.parameters)) {
      StatementCapture.statements.set(sql, { sql, parameters: parameters ?? [] });
    }
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

function weight(parameters: readonly unknown[]): number {
  return parameters.reduce<number>((sum, value) => sum + (Array.isArray(value) ? value.length : 1), 0);
}

/** Puts the capture on the app's DataSource before the relay and the delivery stage start. */
@Injectable()
class CaptureInstaller implements OnModuleInit {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}
  onModuleInit(): void {
    (this.dataSource as { logger: TypeOrmLogger }).logger = new StatementCapture();
  }
}

@Module({ providers: [CaptureInstaller] })
class CaptureModule {}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

function seqScans(node: PlanNode): string[] {
  const own = node['Node Type'] === 'Seq Scan' && node['Relation Name'] ? [node['Relation Name']] : [];
  return [...own, ...(node.Plans ?? []).flatMap(seqScans)];
}

async function waitFor(what: string, done: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('Query plans on an unanalyzed database (issue 17)', () => {
  let database: DatabaseEndpoint;
  let client: Client;
  let t: TestApp | undefined;
  const big = new Set<string>();

  beforeAll(async () => {
    database = await provisionTestDatabase();
    // First run: migrations, delivery targets registered; the relay off, so a backlog builds up.
    t = await createTestApp(database, { OUTBOX_RELAY: 'off' }, [CaptureModule]);
    client = new Client({ connectionString: database.url });
    await client.connect();
    await fillRealisticRows(client, ORDERS);
    // The targets delivered everything logged so far.
    await client.query(`UPDATE delivery_target SET position = (SELECT max(position) FROM event_log)`);
    StatementCapture.on = true;
    const from = new Date();
    // New purchases, each of licenses of its own.
    for (let i = 0; i < BACKLOG / 3; i++) {
      const order = newOrder();
      await sendStatus(t, order, 'COMPLETE', {
        products: order.products.map((product, line) => ({ ...product, licenseRef: `LIC-${order.refNo}-${line + 1}` })),
      });
    }
    // Renewals of licenses the filled orders hold, and license changes of others.
    for (let i = 1; i <= BACKLOG / 3; i++) {
      const renewal = newOrder();
      await sendStatus(t, renewal, 'COMPLETE', {
        products: renewal.products.map((product, line) => ({ ...product, licenseRef: `LIC-${i * 97}-${line + 1}` })),
      });
      const lcn = signForm(sampleLcn(`LIC-${i * 89}-1`, '2028-11-24 10:25:40'), ['sha256'], TEST_SECRET_KEY);
      const response = await postForm(`${t.baseUrl}/lcn`, lcn);
      expect(response.status).toBe(200);
    }
    // And the whole backlog replayed after it: replays look up what was applied before.
    const replay = await fetch(`${t.baseUrl}/api/ipn/messages/replay`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ from: from.toISOString(), to: new Date(Date.now() + 1000).toISOString() }),
    });
    expect(await replay.json()).toMatchObject({ replayed: BACKLOG });
    await t.close();
    // Second run: the relay takes the backlog in full batches, the delivery stage follows the log.
    t = await createTestApp(database, {}, [CaptureModule]);
    await waitFor('the backlog to be processed', async () => {
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM outbox_event WHERE status = 'pending'`);
      return rows[0].n === 0;
    });
    await waitFor('the delivery targets to reach the head of the log', async () => {
      const { rows } = await client.query(
        `SELECT count(*)::int AS n FROM delivery_target WHERE position < (SELECT max(position) FROM event_log)`,
      );
      return rows[0].n === 0;
    });
    StatementCapture.on = false;
    const { rows } = await client.query<{ relname: string }>(
      `SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace
         AND (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I', relname), false, true, '')))[1]::text::int >= $1`,
      [BIG_TABLE_ROWS],
    );
    for (const row of rows) big.add(row.relname);
  }, 240_000);

  afterAll(async () => {
    await t?.close();
    await client?.end();
    await database?.close();
  });

  it('the fill left the planner without statistics, as autovacuum off does', async () => {
    expect([...big].sort()).toEqual(
      expect.arrayContaining([
        'entitlement',
        'entitlement_line',
        'event_log',
        'ipn_notification',
        'license_state',
        'order',
        'subscription',
      ]),
    );
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM pg_stats WHERE schemaname = 'public' AND tablename = ANY($1)`, [
      [...big],
    ]);
    expect(rows[0].n).toBe(0);
  });

  it('captured the chain: the inbox insert, orders, entitlements, licenses, the event log, the delivery stage', () => {
    const sql = [...StatementCapture.statements.keys()].join('\n');
    for (const table of [
      'ipn_notification',
      'outbox_event',
      '"order"',
      'entitlement',
      'license_state',
      'subscription',
      'event_log',
      'delivery_target',
    ]) {
      expect(sql).toContain(table);
    }
  });

  it('no hot statement scans a big table', async () => {
    const scans: string[] = [];
    for (const { sql, parameters } of StatementCapture.statements.values()) {
      const { rows } = await client.query(`EXPLAIN (FORMAT JSON) ${sql}`, parameters);
      const plan = (rows[0]['QUERY PLAN'] as Array<{ Plan: PlanNode }>)[0].Plan;
      const scanned = seqScans(plan).filter((table) => big.has(table));
      if (scanned.length > 0) scans.push(`Seq Scan on ${[...new Set(scanned)].join(', ')} in:\n${sql.replace(/\s+/g, ' ').slice(0, 400)}`);
    }
    expect(scans).toEqual([]);
  });

  it("the app's sessions compile no statement (estimates without statistics pass JIT's thresholds)", async () => {
    expect(await t!.app.get(DataSource).query('SHOW jit')).toEqual([{ jit: 'off' }]);
  });
});
