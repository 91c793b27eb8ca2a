import { Module } from '@nestjs/common';
import { LeaderLock } from '../counts/leader-lock';
import { LeaderService } from '../counts/leader.service';
import { RecoveryStreamService } from '../recovery/recovery-stream.service';
import { CountSignal } from './count-signal';
import { MembersController } from './members.controller';
import { MembersMetrics } from './members.metrics';
import { MembersRepository } from './members.repository';
import { MembersService } from './members.service';

@Module({
  controllers: [MembersController],
  providers: [MembersService, MembersRepository, CountSignal, LeaderLock, LeaderService, RecoveryStreamService, MembersMetrics],
  exports: [MembersService],
})
export class MembersModule {}
