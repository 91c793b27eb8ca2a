import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A TCP link that a test can cut: put it between one process and a server (e.g. one gateway and
 * NATS) to take that process off the network while everything else keeps working. `cut()` drops
 * every open connection and refuses new ones (accepted, then closed) until `restore()`.
 * (A NATS client may learn other server URLs from a clustered server and reconnect around the
 * proxy; a standalone server such as NatsServer advertises none.)
 */
export class TcpProxy {
  private readonly open = new Set<Socket>();
  private readonly server: Server;
  private cutOff = false;
  private listening = 0;

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {
    this.server = createServer((client) => this.accept(client));
  }

  /** Listens on a free port of 127.0.0.1 and forwards to `target` (host:port, or a nats://host:port URL). */
  static async start(target: string): Promise<TcpProxy> {
    const { hostname, port } = new URL(target.includes('://') ? target : `tcp://${target}`);
    const proxy = new TcpProxy(hostname, Number(port));
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(0, '127.0.0.1', () => resolve());
    });
    proxy.listening = (proxy.server.address() as AddressInfo).port;
    return proxy;
  }

  get port(): number {
    return this.listening;
  }

  /** The proxy's address as a URL of `scheme`, e.g. `url()` → nats://127.0.0.1:<port>. */
  url(scheme = 'nats'): string {
    return `${scheme}://127.0.0.1:${this.port}`;
  }

  /** Connections through the proxy right now. */
  get connections(): number {
    return this.open.size / 2;
  }

  /** Drops every connection through the proxy; new ones are closed at once until restore(). */
  cut(): void {
    this.cutOff = true;
    for (const socket of this.open) socket.destroy();
    this.open.clear();
  }

  restore(): void {
    this.cutOff = false;
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise((r) => this.server.close(r));
  }

  private accept(client: Socket): void {
    if (this.cutOff) {
      client.destroy();
      return;
    }
    const upstream = connect(this.targetPort, this.targetHost);
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.open.add(a);
      a.pipe(b);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        this.open.delete(a);
        b.destroy();
      });
    }
  }
}
