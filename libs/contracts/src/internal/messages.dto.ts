import type { PeerMessageEvent } from '../messages';

/** Peer messages between gateways (on the receiver's user subject). */

/** Body of a UserMsgKind.PEER_MESSAGE on the receiver's user subject (request: the reply is PeerAck). */
export type PeerMessageNats = PeerMessageEvent;

/** Reply of the receiver's gateway: 1 = the session took it (ACKed), 0 = it did not. */
export interface PeerAck {
  r: 0 | 1;
}
