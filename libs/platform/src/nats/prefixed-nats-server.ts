import { ServerNats, type NatsOptions } from '@nestjs/microservices';
import type { NatsConnection } from 'nats';
import { coalesceWrites } from './coalesce-writes';

/**
 * Nest's NATS server with the deployment's subject prefix: controllers name their subjects without
 * it (`@MessagePattern(Patterns.channel.join)`, fixed when the class is decorated), and this server
 * subscribes `<prefix>.<pattern>` — the prefix comes from the app's validated config at bootstrap,
 * not from the environment at import time.
 */
export class PrefixedNatsServer extends ServerNats {
  constructor(
    options: NonNullable<NatsOptions['options']>,
    private readonly prefix: string,
  ) {
    super(options);
  }

  /**
   * Nest's own connection (the handlers' replies travel on it) writes once per event-loop turn like
   * every other Parley connection (connectNats): nats.js alone writes after every reply, so a
   * service answering a turn's 50 requests made 50 write syscalls.
   */
  override async createNatsClient(): Promise<NatsConnection> {
    const nc = (await super.createNatsClient()) as NatsConnection;
    coalesceWrites(nc);
    return nc;
  }

  override addHandler(pattern: unknown, callback: Parameters<ServerNats['addHandler']>[1], isEventHandler = false, extras: Record<string, unknown> = {}): void {
    super.addHandler(typeof pattern === 'string' ? `${this.prefix}.${pattern}` : pattern, callback, isEventHandler, extras);
  }

  /**
   * Nest's route of a message's subscription, kept per subscription: Nest tries JSON.parse on each
   * message's pattern first, and a subject ("svc.presence.register") is no JSON, so every request
   * threw and caught a SyntaxError (a stack trace each). Only routes of a handler are kept: the
   * patterns are this server's own subscriptions, a set fixed at bootstrap.
   */
  private readonly routes = new Map<string, string>();

  protected override getRouteFromPattern(pattern: string): string {
    let route = this.routes.get(pattern);
    if (route === undefined) {
      route = super.getRouteFromPattern(pattern);
      if (this.messageHandlers.has(route)) this.routes.set(pattern, route);
    }
    return route;
  }
}
