import { Injectable } from '@nestjs/common';
import { Op, type LoginArgs, type QueryOnlineArgs, type RenewTokenArgs, type SendPeerArgs } from '@parley/contracts';
import { PeerMessagesService } from '../messages/peer-messages.service';
import { SessionsService } from '../sessions/sessions.service';
import { OnlineStatusService } from '../status/online-status.service';
import type { Connection } from './connection';

type Handler = (conn: Connection, args: never) => Promise<unknown>;

/** Request op → one line into the service that owns it. */
@Injectable()
export class WsRouter {
  private readonly routes = new Map<number, Handler>();

  constructor(sessions: SessionsService, status: OnlineStatusService, peers: PeerMessagesService) {
    this.route(Op.LOGIN, (conn, args: LoginArgs) => sessions.login(conn, args));
    this.route(Op.LOGOUT, (conn) => sessions.logout(conn));
    this.route(Op.RENEW_TOKEN, (conn, args: RenewTokenArgs) => sessions.renewToken(conn, args));
    this.route(Op.QUERY_ONLINE, (conn, args: QueryOnlineArgs) => status.query(conn, args));
    this.route(Op.SEND_PEER, (conn, args: SendPeerArgs) => peers.send(conn, args));
  }

  route<A>(op: number, handler: (conn: Connection, args: A) => Promise<unknown>): void {
    this.routes.set(op, handler as Handler);
  }

  handler(op: number): Handler | undefined {
    return this.routes.get(op);
  }
}
