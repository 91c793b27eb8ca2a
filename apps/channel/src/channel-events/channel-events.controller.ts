import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Patterns, type EventsTakeRequest } from '@parley/contracts/internal';
import { ChannelEventsService } from './channel-events.service';

@Controller()
export class ChannelEventsController {
  constructor(private readonly events: ChannelEventsService) {}

  @MessagePattern(Patterns.channel.eventsTake)
  take(@Payload() req: EventsTakeRequest) {
    return this.events.take(req);
  }
}
