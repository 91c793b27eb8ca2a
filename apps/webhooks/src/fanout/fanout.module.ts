import { Module } from '@nestjs/common';
import { DispatchModule } from '../dispatch/dispatch.module';
import { FanoutRepository } from './fanout.repository';
import { FanoutService } from './fanout.service';

@Module({
  imports: [DispatchModule],
  providers: [FanoutService, FanoutRepository],
})
export class FanoutModule {}
