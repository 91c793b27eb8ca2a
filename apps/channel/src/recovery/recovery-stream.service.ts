import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Subjects } from '@parley/contracts';
import { InjectNats } from '@parley/platform';
import { DiscardPolicy, RetentionPolicy, StorageType, nanos, type NatsConnection, type StreamConfig } from 'nats';
import { CHANNEL_CONFIG, type ChannelConfig } from '../config/channel.config';

/**
 * The JetStream stream that keeps each channel's last messages (32, 30 s) so a member that drops
 * and comes back gets what it missed. It captures the channel message subjects as they are
 * published on core NATS: the message path never waits for it.
 */
@Injectable()
export class RecoveryStreamService implements OnApplicationBootstrap {
  private readonly logger = new Logger(RecoveryStreamService.name);

  constructor(
    @InjectNats() private readonly nc: NatsConnection,
    @Inject(CHANNEL_CONFIG) private readonly config: ChannelConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const jsm = await this.nc.jetstreamManager();
    const config: Partial<StreamConfig> = {
      name: Subjects.recoveryStream,
      subjects: [Subjects.allChannelMessages],
      storage: StorageType.Memory,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      max_msgs_per_subject: this.config.RECOVERY_MAX_MESSAGES,
      max_age: nanos(this.config.RECOVERY_MAX_AGE_MS),
      num_replicas: 1,
    };
    try {
      await jsm.streams.info(Subjects.recoveryStream);
      await jsm.streams.update(Subjects.recoveryStream, config);
    } catch {
      await jsm.streams.add(config);
      this.logger.log(`created stream ${Subjects.recoveryStream}`);
    }
  }
}
