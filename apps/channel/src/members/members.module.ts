import { Module } from '@nestjs/common';
import { LeaderService } from '../counts/leader.service';
import { RecoveryStreamService } from '../recovery/recovery-stream.service';
import { MembersController } from './members.controller';
import { MembersMetrics } from './members.metrics';
import { MembersRepository } from './members.repository';
import { MembersService } from './members.service';

@Module({
  controllers: [MembersController],
  providers: [MembersService, MembersRepository, LeaderService, RecoveryStreamService, MembersMetrics],
})
export class MembersModule {}
