import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * Stops an HTTP server the way a keep-alive client can live with: no new connections; an idle
 * keep-alive connection closed at once; a busy one answered first, with `Connection: close`, then
 * closed. (`server.close()` alone leaves busy keep-alive connections open for as long as their
 * clients keep sending.)
 */
export class HttpDrain {
  private readonly inFlight = new Set<ServerResponse>();
  private draining = false;

  constructor(private readonly server: Server) {
    server.prependListener('request', (_request: IncomingMessage, response: ServerResponse) => {
      if (this.draining) response.setHeader('Connection', 'close');
      this.inFlight.add(response);
      response.once('close', () => this.inFlight.delete(response));
    });
  }

  /** Requests being answered now. */
  get pending(): number {
    return this.inFlight.size;
  }

  /**
   * Resolves once every connection has closed (true), or after `timeoutMs` with the remaining ones
   * cut (false: their requests get no answer, as with a crash; a notification among them is
   * sent again by the platform).
   */
  async drain(timeoutMs: number): Promise<boolean> {
    this.draining = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const response of this.inFlight) if (!response.headersSent) response.setHeader('Connection', 'close');
    this.server.closeIdleConnections();
    // A connection can turn idle between requests without its client having seen a `Connection: close` yet.
    const sweeper = setInterval(() => this.server.closeIdleConnections(), 50);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      const drained = await Promise.race([closed.then(() => true), timedOut]);
      if (!drained) this.server.closeAllConnections();
      return drained;
    } finally {
      clearInterval(sweeper);
      clearTimeout(timer);
    }
  }
}
