import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Patterns, type EventsTakeRequest } from '@parley/contracts/internal';
import { UserEventsService } from './user-events.service';

@Controller()
export class UserEventsController {
  constructor(private readonly events: UserEventsService) {}

  @MessagePattern(Patterns.presence.userEventsTake)
  take(@Payload() req: EventsTakeRequest) {
    return this.events.take(req);
  }
}
