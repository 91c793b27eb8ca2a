import { Module } from '@nestjs/common';
import { StatusPublisher } from '../status/status-publisher';
import { UserBansController } from './user-bans.controller';
import { UserBansRepository } from './user-bans.repository';
import { UserBansService } from './user-bans.service';

@Module({
  controllers: [UserBansController],
  providers: [UserBansService, UserBansRepository, StatusPublisher],
})
export class UserBansModule {}
