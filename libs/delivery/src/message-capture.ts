import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { AppId, WireMessage } from '@parley/contracts';
import { MESSAGE_WEBHOOK_EVENTS, Subjects, type CapturedMessage } from '@parley/contracts/internal';
import { NatsBus, PrismaService } from '@parley/platform';
import { activeTraceparent, counter } from '@parley/platform/telemetry';
import { RefreshedAppSet } from './refreshed-app-set';

const captured = counter('parley.messages.captured', 'Accepted messages copied to the messages stream (webhook message events), by result');
const capturedOk = captured.bind({ result: 'ok' });
const capturedFailed = captured.bind({ result: 'failed' });

/**
 * Copies accepted messages to the file-backed messages stream for the apps whose enabled webhook
 * endpoints name message.peer or message.channel (docs/architecture.md, "Webhooks"). The copy is
 * published after the message was accepted and never awaited by its sender: the message path costs
 * one Set lookup for an app that captures nothing. Which apps capture is re-read from Postgres in the
 * background when a change is announced (an endpoint created, changed or removed: it takes effect
 * on every gateway and server API replica within a read) and every CAPTURE_SETTINGS_REFRESH_MS
 * (± 20 %) in case an announcement was lost (RefreshedAppSet).
 */
@Injectable()
export class MessageCapture implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('MessageCapture');
  private readonly apps = new RefreshedAppSet(
    async () => {
      const rows = await this.prisma.$queryRaw<{ app_id: string }[]>`
        SELECT DISTINCT app_id FROM webhook_endpoints WHERE enabled AND event_types && ${[...MESSAGE_WEBHOOK_EVENTS]}::varchar[]`;
      return rows.map((r) => r.app_id);
    },
    (err) => this.log.warn(`reading which apps capture messages failed: ${err.message}`),
  );

  constructor(
    private readonly bus: NatsBus,
    private readonly prisma: PrismaService,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.apps.start(this.bus);
  }

  onApplicationShutdown(): void {
    this.apps.stop();
  }

  /** Whether the app's messages are captured now. */
  captures(appId: string): boolean {
    return this.apps.has(appId);
  }

  /** A peer message a client ACKed ('received') or that was stored for its receiver ('cached'). */
  peer(appId: AppId, from: string, to: string, id: string, ts: number, m: WireMessage, d: 'received' | 'cached'): void {
    if (this.captures(appId)) this.publish({ k: 'peer', appId, from, to, id, ts, m, d });
  }

  /** A channel message published to its members. */
  channel(appId: AppId, ch: string, from: string, id: string, ts: number, m: WireMessage): void {
    if (this.captures(appId)) this.publish({ k: 'channel', appId, from, ch, id, ts, m });
  }

  private publish(message: CapturedMessage): void {
    const tp = activeTraceparent();
    if (tp) message.tp = tp;
    this.bus
      .jetstream()
      .publish(Subjects.capturedMessages(message.appId as AppId), this.bus.encode(message))
      .then(
        () => capturedOk.add(),
        (err: Error) => {
          capturedFailed.add();
          this.log.warn(`message capture failed (${message.k} of app ${message.appId}): ${err.message}`);
        },
      );
  }
}
