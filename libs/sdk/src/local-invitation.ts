import { TypedEventEmitter } from './emitter';
import type { LocalInvitationState } from './enums';
import type { Invitations } from './features/invitations';
import type { LocalInvitationEvents } from './rtm-events';

/**
 * A call invitation on the caller's side, made by `client.createLocalInvitation(calleeId)` (spec §2.3).
 * The behaviour lives in src/features/invitations.ts.
 */
export class LocalInvitation extends TypedEventEmitter<LocalInvitationEvents> {
  /** Invitation content, ≤ 8 KB UTF-8. */
  content = '';
  /** Informational only (legacy Signaling interop): the SDK never joins it. */
  channelId = '';

  /** @internal Use client.createLocalInvitation(). */
  constructor(
    private readonly invitations: Invitations,
    readonly calleeId: string,
  ) {
    super();
  }

  /** The callee's response, once accepted or refused. */
  get response(): string {
    return this.invitations.localResponse(this);
  }

  get state(): LocalInvitationState {
    return this.invitations.localState(this);
  }

  /**
   * Sends the invitation; results arrive as events. Throws RtmInvalidArgumentError 1 (content /
   * channelId) or RtmInvalidStatusError 5 (sent already) / 3 (ended); when not logged in the
   * invitation fails with LocalInvitationFailure NOT_LOGGEDIN.
   */
  send(): void {
    this.invitations.send(this);
  }

  /** Withdraws a sent invitation (LocalInvitationCanceled, or the outcome that came first). Throws 2 when not sent, 3 when ended. */
  cancel(): void {
    this.invitations.cancel(this);
  }
}
