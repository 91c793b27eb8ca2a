import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Subjects, type InvitationActionRequest, type InvitationCreateRequest, type InvitationSyncRequest } from '@parley/contracts';
import { InvitationsService } from './invitations.service';

@Controller()
export class InvitationsController {
  constructor(private readonly invitations: InvitationsService) {}

  @MessagePattern(Subjects.invitation.create)
  create(@Payload() req: InvitationCreateRequest) {
    return this.invitations.create(req);
  }

  @MessagePattern(Subjects.invitation.received)
  received(@Payload() req: InvitationActionRequest) {
    return this.invitations.received(req);
  }

  @MessagePattern(Subjects.invitation.accept)
  accept(@Payload() req: InvitationActionRequest) {
    return this.invitations.accept(req);
  }

  @MessagePattern(Subjects.invitation.refuse)
  refuse(@Payload() req: InvitationActionRequest) {
    return this.invitations.refuse(req);
  }

  @MessagePattern(Subjects.invitation.confirmAccept)
  confirmAccept(@Payload() req: InvitationActionRequest) {
    return this.invitations.confirmAccept(req);
  }

  @MessagePattern(Subjects.invitation.cancel)
  cancel(@Payload() req: InvitationActionRequest) {
    return this.invitations.cancel(req);
  }

  @MessagePattern(Subjects.invitation.sync)
  sync(@Payload() req: InvitationSyncRequest) {
    return this.invitations.sync(req);
  }
}
