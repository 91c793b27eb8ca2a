import type { PeerMessageEvent } from '../messages';

/** Peer messages between gateways (on the receiver's user subject). */

/** Body of a UserMsgKind.PEER_MESSAGE on the receiver's user subject (request: the reply is PeerAck). */
export type PeerMessageNats = PeerMessageEvent;

/**
 * Reply of the receiver's gateway: 1 = the session took it (ACKed), 0 = it did not; `g`: the route id
 * of the gateway holding the session (later messages to the uid may go to Subjects.peerRoute(g)).
 */
export interface PeerAck {
  r: 0 | 1;
  g?: string;
}

/**
 * A gateway's answer to one message of a route batch (Subjects.peerRoute). The batch is
 * [ackSubject, ...items] with items [id, appId, uid, PeerMessageEvent]; the answers go to ackSubject
 * as [id, code, id, code, …], one NATS message per turn of the answering gateway.
 */
export enum PeerRouteCode {
  NOT_ACKED = 0,
  ACKED = 1,
  /** This gateway holds no live session of the uid: send it on the user subject. */
  NOT_HERE = 2,
  /** Sender side only: no answer in time. */
  TIMED_OUT = 3,
}
