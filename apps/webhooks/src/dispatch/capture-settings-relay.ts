import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Subjects } from '@parley/contracts/internal';
import { NatsBus } from '@parley/platform';
import { OutboxSignal } from './outbox-signal';

/**
 * Tells every gateway and server API replica (Subjects.captureSettingsChanged) that which apps
 * capture messages or store every message may have changed: the database notifies the webhooks
 * replicas' listen connection (OutboxSignal, `c`), which is the only one in the cluster; the others
 * then re-read both sets instead of polling Postgres (libs/delivery RefreshedAppSet). Every replica
 * relays (a second announcement costs a second read); after a reconnection of the listen
 * connection it announces once for what it may have missed.
 */
@Injectable()
export class CaptureSettingsRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private unsubscribe?: () => void;

  constructor(
    private readonly signal: OutboxSignal,
    private readonly bus: NatsBus,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribe = this.signal.subscribe({ capture: () => this.bus.publish(Subjects.captureSettingsChanged, {}) });
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
  }
}
