import { ServerNats, type NatsOptions } from '@nestjs/microservices';

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

  override addHandler(pattern: unknown, callback: Parameters<ServerNats['addHandler']>[1], isEventHandler = false, extras: Record<string, unknown> = {}): void {
    super.addHandler(typeof pattern === 'string' ? `${this.prefix}.${pattern}` : pattern, callback, isEventHandler, extras);
  }
}
