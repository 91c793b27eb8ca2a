import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Patterns, type UserAttrsGetRequest, type UserAttrsGoneRequest, type UserAttrsWriteRequest } from '@parley/contracts/internal';
import { UserAttributesService } from './user-attributes.service';

@Controller()
export class UserAttributesController {
  constructor(private readonly attributes: UserAttributesService) {}

  @MessagePattern(Patterns.attributes.userWrite)
  write(@Payload() req: UserAttrsWriteRequest) {
    return this.attributes.write(req);
  }

  @MessagePattern(Patterns.attributes.userGet)
  get(@Payload() req: UserAttrsGetRequest) {
    return this.attributes.get(req);
  }

  @MessagePattern(Patterns.attributes.userGone)
  gone(@Payload() req: UserAttrsGoneRequest) {
    return this.attributes.gone(req);
  }
}
