import type { ClientCore } from './client-core';
import { TypedEventEmitter } from './emitter';
import { RemoteInvitationState } from './enums';
import { notYetSync } from './features/not-implemented';
import type { RemoteInvitationEvents } from './rtm-events';

/** A call invitation on the callee's side, delivered by the RemoteInvitationReceived event (spec §2.3). */
export class RemoteInvitation extends TypedEventEmitter<RemoteInvitationEvents> {
  /** The callee's answer, ≤ 8 KB UTF-8; set it before accept() / refuse(). */
  response = '';
  /** @internal */
  protected _state: RemoteInvitationState = RemoteInvitationState.INVITATION_RECEIVED;

  /** @internal */
  constructor(
    private readonly core: ClientCore,
    readonly callerId: string,
    readonly channelId: string,
    readonly content: string,
  ) {
    super();
  }

  get state(): RemoteInvitationState {
    return this._state;
  }

  accept(): void {
    notYetSync('RemoteInvitation.accept');
  }

  refuse(): void {
    notYetSync('RemoteInvitation.refuse');
  }

}
