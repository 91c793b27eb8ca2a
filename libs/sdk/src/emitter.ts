import { EventEmitter } from 'events';

/**
 * Listener argument tuple of an event-map entry, as in agora-rtm-sdk's typings: the map's values
 * are function types (`ConnectionStateChanged: (newState, reason) => void`).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ListenerType<T> = [T] extends [(...args: infer U) => any] ? U : [T] extends [void] ? [] : [T];

/**
 * Node-style EventEmitter typed by an event map. Declared here (rather than taken from `events`'
 * typings) so the published .d.ts needs neither @types/node nor the `events` package's types.
 */
export interface TypedEventEmitter<E> {
  on<P extends keyof E>(event: P, listener: (...args: ListenerType<E[P]>) => void): this;
  once<P extends keyof E>(event: P, listener: (...args: ListenerType<E[P]>) => void): this;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  off<P extends keyof E>(event: P, listener: (...args: any[]) => any): this;
  addListener<P extends keyof E>(event: P, listener: (...args: ListenerType<E[P]>) => void): this;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  removeListener<P extends keyof E>(event: P, listener: (...args: any[]) => any): this;
  prependListener<P extends keyof E>(event: P, listener: (...args: ListenerType<E[P]>) => void): this;
  prependOnceListener<P extends keyof E>(event: P, listener: (...args: ListenerType<E[P]>) => void): this;
  removeAllListeners<P extends keyof E>(event?: P): this;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  listeners<P extends keyof E>(event: P): Function[];
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  rawListeners<P extends keyof E>(event: P): Function[];
  listenerCount<P extends keyof E>(event: P): number;
  eventNames(): (string | symbol)[];
  setMaxListeners(n: number): this;
  getMaxListeners(): number;
  emit<P extends keyof E>(event: P, ...args: ListenerType<E[P]>): boolean;
}

export interface TypedEventEmitterClass {
  new <E>(): TypedEventEmitter<E>;
  defaultMaxListeners: number;
}

/** Base class of RtmClient, RtmChannel, LocalInvitation and RemoteInvitation. */
export const TypedEventEmitter = EventEmitter as unknown as TypedEventEmitterClass;
