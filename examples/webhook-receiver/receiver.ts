import { IncomingHttpHeaders, Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

/**
 * A webhook receiver in plain Node (node:http, no framework) for this service's signed webhooks:
 * - it reads the raw body and verifies it with the standardwebhooks package before parsing anything
 *   (the signature covers the exact bytes; a parsed and re-serialised body would not verify);
 * - it accepts every secret given (during a rotation both the new and the previous one sign);
 * - it dedupes on `webhook-id` (delivery is at least once: a retry or a replay sends the same id), here
 *   in memory for the last 10,000 ids; a real one records the id with its effect, in one transaction,
 *   under a unique constraint;
 * - it answers 2xx quickly (long work belongs in a queue of yours); 401 for a bad signature.
 *
 * Run it: WEBHOOK_SECRETS=whsec_... PORT=4000 node dist/examples/webhook-receiver/receiver.js
 */

export interface WebhookEvent {
  /** `webhook-id`: the event id, the same on every retry and replay. */
  id: string;
  type: string;
  timestamp: string;
  /** The event envelope as GET /api/events gives it. */
  data: { eventId: string; name: string; version: number; occurredAt: string; orderRef: string | null; test: boolean; data: unknown };
}

export interface ReceiverOptions {
  /** `whsec_…` secrets; any of them may verify a request. */
  secrets: string[];
  port?: number;
  host?: string;
  /** Called once per event id. */
  onEvent(event: WebhookEvent): void | Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;
const REMEMBERED_IDS = 10_000;

export interface RunningReceiver {
  url: string;
  /** Requests verified but already seen (a retry, a replay), not passed on again. */
  duplicates: number;
  /** Requests refused: no or a wrong signature, a stale timestamp. */
  refused: number;
  close(): Promise<void>;
}

export async function startReceiver(options: ReceiverOptions): Promise<RunningReceiver> {
  const verifiers = options.secrets.map((secret) => new Webhook(secret));
  const seen = new Set<string>();
  const running: RunningReceiver = { url: '', duplicates: 0, refused: 0, close: () => close(server) };

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) request.destroy();
      else chunks.push(chunk);
    });
    request.on('end', async () => {
      const raw = Buffer.concat(chunks);
      const event = verify(verifiers, raw, request.headers);
      if (!event) {
        running.refused += 1;
        response.writeHead(401, { 'content-type': 'text/plain' }).end('signature not verified');
        return;
      }
      if (seen.has(event.id)) {
        running.duplicates += 1;
        response.writeHead(204).end();
        return;
      }
      try {
        await options.onEvent(event);
      } catch {
        // Not remembered: the service retries it.
        response.writeHead(500, { 'content-type': 'text/plain' }).end('not processed');
        return;
      }
      remember(seen, event.id);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  running.url = `http://${options.host ?? '127.0.0.1'}:${address.port}/webhooks`;
  return running;
}

/** The event if one of the secrets verifies the raw bytes with these headers; undefined otherwise. */
function verify(verifiers: Webhook[], raw: Buffer, headers: IncomingHttpHeaders): WebhookEvent | undefined {
  const signed = {
    'webhook-id': String(headers['webhook-id'] ?? ''),
    'webhook-timestamp': String(headers['webhook-timestamp'] ?? ''),
    'webhook-signature': String(headers['webhook-signature'] ?? ''),
  };
  for (const verifier of verifiers) {
    try {
      const payload = verifier.verify(raw, signed) as Omit<WebhookEvent, 'id'>;
      return { id: signed['webhook-id'], ...payload };
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
    }
  }
  return undefined;
}

function remember(seen: Set<string>, id: string): void {
  seen.add(id);
  // A Set iterates in insertion order: the oldest id goes first.
  if (seen.size > REMEMBERED_IDS) seen.delete(seen.values().next().value!);
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

if (require.main === module) {
  const secrets = (process.env.WEBHOOK_SECRETS ?? '').split(',').filter(Boolean);
  if (secrets.length === 0) throw new Error('Set WEBHOOK_SECRETS to the endpoint secret (whsec_...; several comma-separated)');
  void startReceiver({
    secrets,
    port: Number(process.env.PORT ?? 4000),
    onEvent: (event) => console.log(`${event.type} ${event.id} (order ${event.data.orderRef ?? '-'})`),
  }).then((receiver) => console.log(`Listening on ${receiver.url}`));
}
