import { Module } from '@nestjs/common';
import { DispatchModule } from '../dispatch/dispatch.module';
import { MessagesStream } from '../messages/messages-stream';
import { FanoutRepository } from './fanout.repository';
import { FanoutService } from './fanout.service';

@Module({
  imports: [DispatchModule],
  providers: [FanoutService, FanoutRepository, MessagesStream],
})
export class FanoutModule {}
