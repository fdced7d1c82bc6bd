import { DataSource } from 'typeorm';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { BROKER_URL, uniqueName } from '../setup/broker';
import { TestApp, createTestApp } from '../setup/create-test-app';
import { admin, newOrder, sendStatus } from '../setup/lifecycle';
import { provisionTestDatabase } from '../setup/test-database';

/** Apart from amqp.e2e-spec.ts: the log lines of one app per process (Nest's logger is process-wide). */
describe('a broker that refuses the credentials', () => {
  const lines: string[] = [];
  let refused: TestApp;
  let refusedDatabase: DatabaseEndpoint;
  const password = `wrong-${uniqueName('password')}`;

  afterAll(async () => {
    await refused?.close();
    await refusedDatabase?.close();
  });

  async function until(what: string, probe: () => boolean): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (!probe()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((done) => setTimeout(done, 50));
    }
  }

  it('keeps receipting, logs the broker’s answer with the password masked, and never the password', async () => {
    refusedDatabase = await provisionTestDatabase();
    const url = new URL(BROKER_URL);
    url.password = password;
    refused = await createTestApp(
      refusedDatabase,
      { AMQP_URL: url.toString(), AMQP_EXCHANGE: uniqueName('refused'), AMQP_RECONNECT_MS: '200', LOG_LEVEL: 'log' },
      [],
      { logDestination: { write: (line: string) => void lines.push(line) } },
    );
    const order = newOrder();
    await sendStatus(refused, order, 'COMPLETE');
    await until('the refusal logged', () => lines.some((line) => line.includes('Cannot reach')));
    await new Promise((done) => setTimeout(done, 1000)); // several reconnect attempts
    const refusal = JSON.parse(lines.find((line) => line.includes('Cannot reach'))!);
    expect(refusal.msg).toMatch(/^Cannot reach amqp:\/\/guest:\*\*\*@127\.0\.0\.1:5672.*ACCESS.REFUSED/);
    // Logged once for the episode, not at every attempt.
    expect(lines.filter((line) => line.includes('Cannot reach'))).toHaveLength(1);
    expect(lines.filter((line) => line.includes(password) || line.includes(encodeURIComponent(password)))).toEqual([]);
    expect((await admin(refused, '/api/deliveries?channel=amqp')).body).toEqual([]);
    const [target] = await refused.app.get(DataSource).query(`SELECT name, channel FROM delivery_target WHERE name = 'amqp'`);
    expect(target).toEqual({ name: 'amqp', channel: 'amqp' });
  });
});
