import { AddressInfo, Server, Socket, createConnection, createServer } from 'node:net';

/** A client's connection and the proxy's own to the target (none yet while black-holed). */
interface Pair {
  readonly client: Socket;
  upstream?: Socket;
}

/**
 * A loopback TCP proxy in front of the database, so a test can cut the real connection (an outage),
 * or black-hole it (nothing forwarded, nothing closed: a host or network that stops answering), and
 * restore it, with nothing mocked.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private readonly pairs = new Set<Pair>();
  private server: Server | undefined;
  private port = 0;
  private blackHoled = false;

  constructor(private readonly target: { host: string; port: number }) {}

  static forUrl(url: string): TcpProxy {
    const parsed = new URL(url);
    return new TcpProxy({ host: parsed.hostname, port: Number(parsed.port || 5432) });
  }

  async start(): Promise<void> {
    if (this.server) return;
    this.server = createServer((client) => {
      const pair: Pair = { client };
      this.pairs.add(pair);
      this.track(client);
      // While black-holed, a close is not passed on either: the other side never hears of it.
      client.on('close', () => {
        if (!this.blackHoled) this.unpair(pair);
      });
      if (this.blackHoled) client.pause();
      else this.connect(pair);
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.port, '127.0.0.1', resolve);
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Drops every connection and refuses new ones, like a database host going away. */
  async cut(): Promise<void> {
    this.blackHoled = false;
    for (const socket of this.sockets) socket.destroy();
    this.pairs.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }

  /** Accepts connections again, on the same port. */
  resume(): Promise<void> {
    return this.start();
  }

  /**
   * Stops forwarding in both directions without closing anything: open connections stay open and
   * silent, new ones are accepted and never answered, closes are not passed on.
   */
  blackHole(): void {
    this.blackHoled = true;
    for (const { client, upstream } of this.pairs) {
      if (upstream) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        upstream.pause();
      }
      client.pause();
    }
  }

  /**
   * Forwards again, like a network that heals: what was held back flows on; a connection whose one
   * end closed meanwhile is closed at the other end too (the peer's reset), and connections accepted
   * meanwhile reach the target now.
   */
  heal(): void {
    this.blackHoled = false;
    for (const pair of this.pairs) {
      if (pair.client.destroyed || pair.upstream?.destroyed) this.unpair(pair);
      else if (pair.upstream) this.pipe(pair.client, pair.upstream);
      else this.connect(pair);
    }
  }

  private connect(pair: Pair): void {
    const upstream = createConnection(this.target);
    pair.upstream = upstream;
    this.track(upstream);
    upstream.on('close', () => {
      if (!this.blackHoled) this.unpair(pair);
    });
    this.pipe(pair.client, upstream);
  }

  private pipe(client: Socket, upstream: Socket): void {
    client.pipe(upstream).pipe(client);
  }

  private unpair(pair: Pair): void {
    this.pairs.delete(pair);
    pair.client.destroy();
    pair.upstream?.destroy();
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  }

  /** The same URL with the host and port of this proxy. */
  rewrite(url: string): string {
    const parsed = new URL(url);
    parsed.hostname = '127.0.0.1';
    parsed.port = String(this.port);
    return parsed.toString();
  }
}
