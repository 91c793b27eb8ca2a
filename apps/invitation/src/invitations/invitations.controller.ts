import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  Patterns,
  type InvitationActionRequest,
  type InvitationCreateRequest,
  type InvitationSyncRequest,
  type InvitationSyncsRequest,
} from '@parley/contracts/internal';
import { InvitationsService } from './invitations.service';

@Controller()
export class InvitationsController {
  constructor(private readonly invitations: InvitationsService) {}

  @MessagePattern(Patterns.invitation.create)
  create(@Payload() req: InvitationCreateRequest) {
    return this.invitations.create(req);
  }

  @MessagePattern(Patterns.invitation.received)
  received(@Payload() req: InvitationActionRequest) {
    return this.invitations.received(req);
  }

  @MessagePattern(Patterns.invitation.accept)
  accept(@Payload() req: InvitationActionRequest) {
    return this.invitations.accept(req);
  }

  @MessagePattern(Patterns.invitation.refuse)
  refuse(@Payload() req: InvitationActionRequest) {
    return this.invitations.refuse(req);
  }

  @MessagePattern(Patterns.invitation.confirmAccept)
  confirmAccept(@Payload() req: InvitationActionRequest) {
    return this.invitations.confirmAccept(req);
  }

  @MessagePattern(Patterns.invitation.cancel)
  cancel(@Payload() req: InvitationActionRequest) {
    return this.invitations.cancel(req);
  }

  @MessagePattern(Patterns.invitation.sync)
  sync(@Payload() req: InvitationSyncRequest) {
    return this.invitations.sync(req);
  }

  @MessagePattern(Patterns.invitation.syncs)
  syncs(@Payload() req: InvitationSyncsRequest) {
    return this.invitations.syncs(req);
  }
}
