import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a WebhookReceiver got: its raw body, parsed JSON and headers. */
export interface ReceivedWebhook {
  raw: string;
  body: { noticeId: string; eventType: number; event: string; sid: string; notifyMs: number; payload: Record<string, unknown> };
  headers: IncomingHttpHeaders;
  at: number;
}

/**
 * A webhook receiver on 127.0.0.1 for tests: records every request and answers with `respond`
 * (default 200; set it to answer 500, to hang, …).
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  respond: (hook: ReceivedWebhook, res: ServerResponse) => void = (_hook, res) => void res.end('ok');
  private readonly server: Server;
  private readonly open = new Set<ServerResponse>();

  private constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const hook: ReceivedWebhook = { raw, body: JSON.parse(raw) as ReceivedWebhook['body'], headers: req.headers, at: Date.now() };
        this.received.push(hook);
        this.open.add(res);
        res.on('close', () => this.open.delete(res));
        this.respond(hook, res);
      });
    });
  }

  static async start(): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver();
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  /** The events received (body.event), optionally only those about one user. */
  events(uid?: string): string[] {
    return this.received.filter((h) => uid === undefined || h.body.payload['userId'] === uid).map((h) => h.body.event);
  }

  async stop(): Promise<void> {
    for (const res of this.open) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
