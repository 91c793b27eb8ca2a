import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Subjects, type ChannelAttrsGetRequest, type ChannelAttrsWriteRequest } from '@parley/contracts';
import { ChannelAttributesService } from './channel-attributes.service';

@Controller()
export class ChannelAttributesController {
  constructor(private readonly attributes: ChannelAttributesService) {}

  @MessagePattern(Subjects.attributes.channelWrite)
  write(@Payload() req: ChannelAttrsWriteRequest) {
    return this.attributes.write(req);
  }

  @MessagePattern(Subjects.attributes.channelGet)
  get(@Payload() req: ChannelAttrsGetRequest) {
    return this.attributes.get(req);
  }
}
