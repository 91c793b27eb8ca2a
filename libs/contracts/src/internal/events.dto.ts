/**
 * The event record's pull queues (Agora's user_events / channel_events): each take returns events
 * oldest first and removes them from the queue. Keys are Agora's JSON keys, returned as they are.
 */
export interface EventsTakeRequest {
  appId: string;
  /** At most this many (the service caps it at EVENTS_TAKE_MAX). */
  max?: number;
}

export interface UserEvent {
  user_id: string;
  type: 'Login' | 'Logout';
  /** When it happened, Unix ms. */
  ts: number;
}

export interface ChannelEvent {
  channel_id: string;
  user_id: string;
  type: 'Join' | 'Leave';
  ts: number;
}

export interface UserEventsTakeReply {
  events: UserEvent[];
}

export interface ChannelEventsTakeReply {
  events: ChannelEvent[];
}
