import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Subjects, type UserAttrsGetRequest, type UserAttrsGoneRequest, type UserAttrsWriteRequest } from '@parley/contracts';
import { UserAttributesService } from './user-attributes.service';

@Controller()
export class UserAttributesController {
  constructor(private readonly attributes: UserAttributesService) {}

  @MessagePattern(Subjects.attributes.userWrite)
  write(@Payload() req: UserAttrsWriteRequest) {
    return this.attributes.write(req);
  }

  @MessagePattern(Subjects.attributes.userGet)
  get(@Payload() req: UserAttrsGetRequest) {
    return this.attributes.get(req);
  }

  @MessagePattern(Subjects.attributes.userGone)
  gone(@Payload() req: UserAttrsGoneRequest) {
    return this.attributes.gone(req);
  }
}
