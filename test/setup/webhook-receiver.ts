import { IncomingHttpHeaders, Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One request as it arrived: the raw bytes, before anything parsed them. */
export interface ReceivedWebhook {
  readonly path: string;
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  readonly raw: Buffer;
  readonly at: number;
}

/** What the receiver answers one request with; `hang`: never answers. */
export interface Answer {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  hang?: boolean;
}

/** The payload of a webhook as this service sends it. */
export interface WebhookPayload {
  type: string;
  timestamp: string;
  data: { eventId: string; name: string; orderRef: string | null; occurredAt: string; data: any };
}

/**
 * A real HTTP server on 127.0.0.1 that keeps every request's raw bytes and answers each as `answer`
 * says (200 by default), per path: one receiver serves several endpoints.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  /** Per path; the request's index among that path's requests is given. */
  readonly answers = new Map<string, (request: ReceivedWebhook, index: number) => Answer>();
  private readonly hanging = new Set<() => void>();

  private constructor(private readonly server: Server) {}

  static async start(): Promise<WebhookReceiver> {
    const server = createServer();
    const receiver = new WebhookReceiver(server);
    server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const received: ReceivedWebhook = {
          path: request.url ?? '/',
          method: request.method ?? '',
          headers: request.headers,
          raw: Buffer.concat(chunks),
          at: Date.now(),
        };
        const index = receiver.of(received.path).length;
        receiver.received.push(received);
        const answer = receiver.answers.get(received.path)?.(received, index) ?? {};
        if (answer.hang) {
          const end = () => response.destroy();
          receiver.hanging.add(end);
          response.on('close', () => receiver.hanging.delete(end));
          return;
        }
        response.writeHead(answer.status ?? 200, answer.headers ?? {});
        response.end(answer.body ?? '');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  url(path: string, host = '127.0.0.1'): string {
    return `http://${host}:${this.port}${path}`;
  }

  of(path: string): ReceivedWebhook[] {
    return this.received.filter((request) => request.path === path);
  }

  /** Waits until `path` has `count` requests (or `predicate` holds); fails after `timeoutMs`. */
  async waitFor(path: string, count: number, timeoutMs = 20_000): Promise<ReceivedWebhook[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.of(path).length < count) {
      if (Date.now() > deadline) throw new Error(`${path}: ${this.of(path).length} of ${count} webhooks arrived in ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return this.of(path);
  }

  async close(): Promise<void> {
    for (const end of this.hanging) end();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/**
 * The request verified with the standardwebhooks package over its raw bytes (throws if it does not
 * verify: a wrong signature, a stale timestamp), as a receiver would; its payload.
 */
export function verified(request: ReceivedWebhook, secret: string): WebhookPayload {
  const headers = Object.fromEntries(
    ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => [name, String(request.headers[name] ?? '')]),
  );
  return new Webhook(secret).verify(request.raw, headers) as WebhookPayload;
}
