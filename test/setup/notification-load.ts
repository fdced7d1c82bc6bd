import { Agent, request } from 'node:http';
import { SampleOrder, sampleIpn, signForm } from '../../src/cli/sample-notification';
import { TEST_SECRET_KEY } from './create-test-app';
import { newOrder } from './lifecycle';

/** What one delivery attempt got, as the platform would see it. */
export interface Delivery {
  readonly refNo: string;
  /** 0: no HTTP answer (refused, reset, closed). */
  readonly status: number;
  readonly receipted: boolean;
  readonly code?: string;
  readonly startedAt: number;
  readonly endedAt: number;
  /** The answer said `Connection: close`. */
  readonly closing: boolean;
  readonly error?: string;
}

export interface LoadOptions {
  /** Requests in flight at once, each worker on its own keep-alive connection. */
  readonly concurrency: number;
  /** Label of the orders' emails (several orders share one, so accounts are reused). */
  readonly label: string;
  /** Orders per email. */
  readonly perEmail?: number;
}

/**
 * The platform under load: workers post distinct, signed COMPLETE notifications over keep-alive
 * connections until stopped, and remember what each got. What got no receipt the platform would send
 * again: `resendUnreceipted` does, once the service is back.
 */
export class NotificationLoad {
  readonly orders = new Map<string, SampleOrder>();
  readonly deliveries: Delivery[] = [];
  private readonly agent: Agent;
  private running = false;
  private workers: Array<Promise<void>> = [];
  private sequence = 0;

  constructor(
    private baseUrl: string,
    private readonly options: LoadOptions,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  }

  /** Later deliveries (and resends) go to this address (a restarted service). */
  retarget(baseUrl: string): void {
    this.baseUrl = baseUrl;
  }

  start(): void {
    this.running = true;
    this.workers = Array.from({ length: this.options.concurrency }, async () => {
      // Like the platform: a notification without a receipt is sent again (after a pause), a new one after a receipt.
      let order = this.nextOrder();
      while (this.running) {
        if (await this.deliver(order)) order = this.nextOrder();
        else await new Promise((resolve) => setTimeout(resolve, 20));
      }
    });
  }

  /** Stops sending; resolves once every request in flight has its answer (or error). */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }

  close(): void {
    this.agent.destroy();
  }

  receipted(): Set<string> {
    return new Set(this.deliveries.filter((delivery) => delivery.receipted).map((delivery) => delivery.refNo));
  }

  unreceipted(): SampleOrder[] {
    const receipted = this.receipted();
    return [...this.orders.values()].filter((order) => !receipted.has(order.refNo));
  }

  /** Deliveries answered with neither a receipt nor a 503 DATABASE_UNAVAILABLE, nor dropped unanswered. */
  unexpected(): Delivery[] {
    return this.deliveries.filter((d) => !d.receipted && d.status !== 0 && !(d.status === 503 && d.code === 'DATABASE_UNAVAILABLE'));
  }

  /** Sends every order without a receipt again, until each has one. */
  async resendUnreceipted(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (let left = this.unreceipted(); left.length > 0; left = this.unreceipted()) {
      if (Date.now() > deadline) throw new Error(`${left.length} orders still without a receipt after ${timeoutMs} ms`);
      const queue = [...left];
      await Promise.all(
        Array.from({ length: this.options.concurrency }, async () => {
          for (let order = queue.shift(); order; order = queue.shift()) await this.deliver(order);
        }),
      );
      if (this.unreceipted().length > 0) await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  private nextOrder(): SampleOrder {
    this.sequence += 1;
    const group = Math.floor(this.sequence / (this.options.perEmail ?? 3));
    const order = newOrder({ status: 'COMPLETE' });
    order.email = `${this.options.label}-${process.pid}-${group}@example.com`;
    this.orders.set(order.refNo, order);
    return order;
  }

  private async deliver(order: SampleOrder): Promise<boolean> {
    const body = Buffer.from(signForm(sampleIpn(order), ['sha256'], TEST_SECRET_KEY));
    const startedAt = Date.now();
    const answer = await post(`${this.baseUrl}/ipn`, body, this.agent);
    const receipted = answer.status === 200 && answer.body.startsWith('<sig algo="sha256"');
    let code: string | undefined;
    if (!receipted && answer.status) {
      try {
        code = (JSON.parse(answer.body) as { code?: string }).code;
      } catch {
        code = undefined;
      }
    }
    this.deliveries.push({
      refNo: order.refNo,
      status: answer.status,
      receipted,
      code,
      startedAt,
      endedAt: Date.now(),
      closing: answer.closing,
      error: answer.error,
    });
    return receipted;
  }
}

interface Answer {
  status: number;
  body: string;
  closing: boolean;
  error?: string;
}

function post(url: string, body: Buffer, agent: Agent): Promise<Answer> {
  return new Promise((resolve) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': body.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            closing: String(res.headers.connection).toLowerCase() === 'close',
          }),
        );
        res.on('error', (error) => resolve({ status: 0, body: '', closing: true, error: error.message }));
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('no answer in 30 s')));
    req.on('error', (error) => resolve({ status: 0, body: '', closing: true, error: error.message }));
    req.end(body);
  });
}
