import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Subjects } from '@parley/contracts/internal';
import { Alarm, isStreamNotFound, jittered, NatsBus, watchConnection } from '@parley/platform';
import { DiscardPolicy, RetentionPolicy, StorageType, nanos, type JetStreamManager, type StreamConfig } from 'nats';
import { CHANNEL_CONFIG, type ChannelConfig } from '../config/channel.config';

/**
 * The JetStream stream that keeps each channel's last messages (32, 30 s) so a member that drops
 * and comes back gets what it missed. It captures the channel message subjects as they are
 * published on core NATS: the message path never waits for it.
 *
 * It lives in the NATS server's memory, so a NATS restart drops it: every replica creates it again
 * after each reconnect and checks every RECOVERY_STREAM_CHECK_MS (± 20 %) that it is there. Gateways
 * know a recreated stream by its creation time and report recovery from before it as incomplete.
 */
@Injectable()
export class RecoveryStreamService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RecoveryStreamService.name);
  private jsm?: JetStreamManager;
  private checking: Promise<void> | null = null;
  private readonly periodic = new Alarm(() => {
    void this.ensure();
    this.periodic.in(jittered(this.config.RECOVERY_STREAM_CHECK_MS));
  });
  private stopWatching?: () => void;

  constructor(
    private readonly bus: NatsBus,
    @Inject(CHANNEL_CONFIG) private readonly config: ChannelConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const jsm = await this.manager();
    try {
      await jsm.streams.info(Subjects.recoveryStream);
      // Limits from this replica's configuration (a deployment may have changed them).
      await jsm.streams.update(Subjects.recoveryStream, this.streamConfig());
    } catch {
      await jsm.streams.add(this.streamConfig());
      this.logger.log(`created stream ${Subjects.recoveryStream}`);
    }
    this.stopWatching = watchConnection(this.bus, { reconnected: () => void this.ensure() });
    this.periodic.in(jittered(this.config.RECOVERY_STREAM_CHECK_MS));
  }

  onApplicationShutdown(): void {
    this.periodic.cancel();
    this.stopWatching?.();
  }

  /** Creates the stream when it is missing; one check at a time, failures are logged (the next check retries). */
  ensure(): Promise<void> {
    this.checking ??= this.createIfMissing()
      .catch((err: Error) => this.logger.warn(`recovery stream check failed: ${err.message}`))
      .finally(() => (this.checking = null));
    return this.checking;
  }

  private async createIfMissing(): Promise<void> {
    const jsm = await this.manager();
    try {
      await jsm.streams.info(Subjects.recoveryStream);
      return;
    } catch (err) {
      if (!isStreamNotFound(err)) throw err;
    }
    try {
      await jsm.streams.add(this.streamConfig());
    } catch (err) {
      // Another replica may have created it first; anything else is a real failure.
      await jsm.streams.info(Subjects.recoveryStream).catch(() => Promise.reject(err));
      return;
    }
    this.logger.warn(
      `created stream ${Subjects.recoveryStream} again (was it lost with a NATS restart?): ` +
        'channel messages published while it was missing cannot be recovered',
    );
  }

  private async manager(): Promise<JetStreamManager> {
    return (this.jsm ??= await this.bus.jetstreamManager());
  }

  private streamConfig(): Partial<StreamConfig> {
    return {
      name: Subjects.recoveryStream,
      subjects: [Subjects.allChannelMessages],
      storage: StorageType.Memory,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      max_msgs_per_subject: this.config.RECOVERY_MAX_MESSAGES,
      max_age: nanos(this.config.RECOVERY_MAX_AGE_MS),
      num_replicas: 1,
    };
  }
}
