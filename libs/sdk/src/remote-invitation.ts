import { TypedEventEmitter } from './emitter';
import type { RemoteInvitationState } from './enums';
import type { Invitations } from './features/invitations';
import type { RemoteInvitationEvents } from './rtm-events';

/**
 * A call invitation on the callee's side, delivered by the RemoteInvitationReceived event (spec §2.3).
 * The behaviour lives in src/features/invitations.ts.
 */
export class RemoteInvitation extends TypedEventEmitter<RemoteInvitationEvents> {
  /** The callee's answer, ≤ 8 KB UTF-8; set it before accept() / refuse(). */
  response = '';

  /** @internal Made by the SDK for RemoteInvitationReceived. */
  constructor(
    private readonly invitations: Invitations,
    readonly callerId: string,
    readonly channelId: string,
    readonly content: string,
  ) {
    super();
  }

  get state(): RemoteInvitationState {
    return this.invitations.remoteState(this);
  }

  /**
   * Accepts (ACCEPT_SENT_TO_LOCAL, then RemoteInvitationAccepted once the caller confirmed). Throws
   * RtmInvalidArgumentError 1 (response) or RtmInvalidStatusError 4 (accepted already) / 3 (ended).
   */
  accept(): void {
    this.invitations.accept(this);
  }

  /** Refuses (RemoteInvitationRefused, or the outcome that came first); throws like accept(). */
  refuse(): void {
    this.invitations.refuse(this);
  }
}
