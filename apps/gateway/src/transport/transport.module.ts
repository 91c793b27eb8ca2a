import { Module } from '@nestjs/common';
import { OutboundQueue } from './outbound-queue';

/** The floor every feature stands on: client connections, their outbound queue, sessions and rates. */
@Module({
  providers: [OutboundQueue],
  exports: [OutboundQueue],
})
export class TransportModule {}
