import { Module } from '@nestjs/common';
import { MembersModule } from '../members/members.module';
import { ChannelBansController } from './channel-bans.controller';
import { ChannelBansRepository } from './channel-bans.repository';
import { ChannelBansService } from './channel-bans.service';

@Module({
  imports: [MembersModule],
  controllers: [ChannelBansController],
  providers: [ChannelBansService, ChannelBansRepository],
})
export class ChannelBansModule {}
