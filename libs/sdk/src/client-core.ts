import type { ConnectionChangeReason, ConnectionState } from './enums';
import { Session, type SessionHost } from './connection/session';
import type { ConnectionTimers } from './connection/timers';
import { Logger, LOG_FILTER_INFO } from './logger';
import { RateWindow } from './rate-window';
import type { RtmClientEvents } from './rtm-events';
import type { TypedEventEmitter } from './emitter';
import type { RtmConfig } from './types';

type Hook = () => void;

/**
 * The internal state of one RtmClient, shared with its feature modules (src/features/*) and its
 * channels / invitations. Features register here instead of growing RtmClient:
 *  - onEvent(Evt.X, handler) for server pushes (the ack is sent after the handler returns);
 *  - onResumed(hook) for work after a re-login or a gateway drain (rejoin channels, re-push attributes, resubscribe);
 *  - onEnded(hook) to drop per-session state at DISCONNECTED / ABORTED.
 */
export class ClientCore implements SessionHost {
  readonly log: Logger;
  readonly session: Session;
  config: RtmConfig;
  /** agora-rtm-sdk 1.x budget shared by peer and channel messages: 180 in a sliding 3 s. */
  readonly messageRate: RateWindow;
  private messageCounter = 0;
  private readonly eventHandlers = new Map<number, (data: unknown) => void>();
  private readonly resumedHooks: Hook[] = [];
  private readonly endedHooks: Hook[] = [];

  constructor(
    readonly appId: string,
    readonly instanceId: string,
    config: RtmConfig,
    readonly timers: ConnectionTimers,
    readonly emitter: TypedEventEmitter<RtmClientEvents>,
  ) {
    this.config = { ...config };
    this.messageRate = new RateWindow(timers.messagesPerWindow, timers.messageWindowMs);
    this.log = new Logger(instanceId);
    this.log.setFilter(config.logFilter ?? LOG_FILTER_INFO);
    this.session = new Session(this);
  }

  /** A message id unique per client instance (`<instanceId>-<n>`); a resend keeps its message's id. */
  newMessageId(): string {
    return `${this.instanceId}-${++this.messageCounter}`;
  }

  onEvent(evt: number, handler: (data: unknown) => void): void {
    this.eventHandlers.set(evt, handler);
  }

  onResumed(hook: Hook): () => void {
    return addHook(this.resumedHooks, hook);
  }

  onEnded(hook: Hook): () => void {
    return addHook(this.endedHooks, hook);
  }

  // SessionHost
  stateChanged(state: ConnectionState, reason: ConnectionChangeReason): void {
    this.safeEmit(() => this.emitter.emit('ConnectionStateChanged', state, reason));
  }
  tokenExpired(): void {
    this.safeEmit(() => this.emitter.emit('TokenExpired'));
  }
  tokenWillExpire(): void {
    this.safeEmit(() => this.emitter.emit('TokenPrivilegeWillExpire'));
  }
  banned(): void {
    this.safeEmit(() => this.emitter.emit('BannedByServer'));
  }
  event(evt: number, data: unknown): void {
    const handler = this.eventHandlers.get(evt);
    if (handler) handler(data);
    else this.log.debug(`no handler for server event ${evt}`);
  }
  resumed(): void {
    runHooks(this.resumedHooks, this.log);
  }
  ended(): void {
    this.log.uid = undefined;
    runHooks(this.endedHooks, this.log);
  }

  /** An app listener that throws must not break the SDK's state machine. */
  private safeEmit(emit: () => void): void {
    try {
      emit();
    } catch (err) {
      this.log.error('an event listener threw', err);
    }
  }
}

function addHook(list: Hook[], hook: Hook): () => void {
  list.push(hook);
  return () => {
    const i = list.indexOf(hook);
    if (i >= 0) list.splice(i, 1);
  };
}

function runHooks(list: Hook[], log: Logger): void {
  for (const hook of [...list]) {
    try {
      hook();
    } catch (err) {
      log.error('a session hook failed', err);
    }
  }
}
