import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Patterns, type ChannelAttrsGetRequest, type ChannelAttrsWriteRequest } from '@parley/contracts/internal';
import { ChannelAttributesService } from './channel-attributes.service';

@Controller()
export class ChannelAttributesController {
  constructor(private readonly attributes: ChannelAttributesService) {}

  @MessagePattern(Patterns.attributes.channelWrite)
  write(@Payload() req: ChannelAttrsWriteRequest) {
    return this.attributes.write(req);
  }

  @MessagePattern(Patterns.attributes.channelGet)
  get(@Payload() req: ChannelAttrsGetRequest) {
    return this.attributes.get(req);
  }
}
