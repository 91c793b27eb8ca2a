import type { ClientCore } from './client-core';
import { TypedEventEmitter } from './emitter';
import { LocalInvitationState } from './enums';
import { notYetSync } from './features/not-implemented';
import type { LocalInvitationEvents } from './rtm-events';

/** A call invitation on the caller's side, made by `client.createLocalInvitation(calleeId)` (spec §2.3). */
export class LocalInvitation extends TypedEventEmitter<LocalInvitationEvents> {
  /** Invitation content, ≤ 8 KB UTF-8. */
  content = '';
  /** Informational only (legacy Signaling interop): the SDK never joins it. */
  channelId = '';
  /** @internal */
  protected _response = '';
  /** @internal */
  protected _state: LocalInvitationState = LocalInvitationState.IDLE;

  /** @internal */
  constructor(
    private readonly core: ClientCore,
    readonly calleeId: string,
  ) {
    super();
  }

  /** The callee's response, once accepted or refused. */
  get response(): string {
    return this._response;
  }

  get state(): LocalInvitationState {
    return this._state;
  }

  /** Sends the invitation; results arrive as events. */
  send(): void {
    notYetSync('LocalInvitation.send');
  }

  cancel(): void {
    notYetSync('LocalInvitation.cancel');
  }

}
