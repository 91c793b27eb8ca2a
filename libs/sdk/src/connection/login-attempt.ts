import { ErrorCode, Evt, Frame, Op, type DropEvent, type LoginArgs, type LoginResult } from '@parley/contracts';
import type { Logger } from '../logger';
import type { WebSocketConstructor } from './transport';
import { SocketFailure, WireSocket } from './wire-socket';

/** The gateway answered LOGIN with an error code. */
export class LoginRejected extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** The gateway ended the session (Evt.DROP) before answering LOGIN. */
export class DroppedDuringLogin extends Error {
  constructor(readonly reason: string) {
    super(`dropped during login: ${reason}`);
  }
}

export interface LoginAttempt {
  Ctor: WebSocketConstructor;
  url: string;
  args: LoginArgs;
  requestId: number;
  openTimeoutMs: number;
  /** For HELLO and, after it, for the LOGIN answer. */
  answerTimeoutMs: number;
  signal: AbortSignal;
  log: Logger;
}

/**
 * One connect + LOGIN exchange on a fresh socket. Resolves with the logged-in socket; rejects with
 * SocketFailure (retry elsewhere), LoginRejected or DroppedDuringLogin. The socket is closed on failure.
 */
export async function attemptLogin(a: LoginAttempt): Promise<{ socket: WireSocket; result: LoginResult }> {
  const socket = await WireSocket.connect(a.Ctor, a.url, { openTimeoutMs: a.openTimeoutMs, helloTimeoutMs: a.answerTimeoutMs, signal: a.signal }, a.log);
  a.log.debug(`connected to ${a.url} (gateway ${socket.hello.gw}, heartbeat ${socket.hello.heartbeatMs} ms)`);
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (err?: Error, result?: LoginResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      a.signal.removeEventListener('abort', onAbort);
      if (err) {
        socket.close();
        reject(err);
      } else {
        socket.hold();
        resolve({ socket, result: result as LoginResult });
      }
    };
    const onAbort = (): void => finish(new SocketFailure('aborted'));
    const timer = setTimeout(() => finish(new SocketFailure(`${a.url}: no LOGIN answer`)), a.answerTimeoutMs);
    a.signal.addEventListener('abort', onAbort);
    socket.onClose = (why) => finish(new SocketFailure(`${a.url}: ${why}`));
    socket.onFrame = (frame) => {
      if (frame[0] === Frame.RES && frame[1] === a.requestId) {
        const code = typeof frame[2] === 'number' ? frame[2] : ErrorCode.UNKNOWN;
        if (code === ErrorCode.OK) return finish(undefined, (frame[3] ?? {}) as LoginResult);
        const data = (frame[3] ?? {}) as { message?: string; retryAfterMs?: number };
        return finish(new LoginRejected(code, data.message ?? '', data.retryAfterMs));
      }
      if (frame[0] === Frame.EVT && frame[1] === Evt.DROP) {
        return finish(new DroppedDuringLogin(String((frame[2] as DropEvent | undefined)?.reason)));
      }
      a.log.debug(`ignored frame ${String(frame[0])} before login`);
    };
    try {
      socket.send([Frame.REQ, a.requestId, Op.LOGIN, a.args]);
    } catch (err) {
      finish(new SocketFailure((err as Error).message));
    }
  });
}
