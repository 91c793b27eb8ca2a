import { Injectable } from '@nestjs/common';
import { Evt, ownString, type AppId, type MetadataData, type UserMetadataEvent } from '@parley/contracts';
import { MetadataSubjects } from '@parley/contracts/internal';
import { InterestRegistry, NatsBus, type Interest } from '@parley/platform';
import { userKey, type Session } from '../transport/session';

interface WatchState {
  readonly appId: string;
  readonly uid: string;
  /** The newest set this gateway knows (highest majorRevision), from an event or a snapshot; null before either. */
  latest: MetadataData | null;
}

/** One watched user's metadata, shared by the sessions of this gateway that subscribed to it (`members`). */
export type MetadataWatch = Interest<Session, WatchState>;

function isMetadataData(value: unknown): value is MetadataData {
  const md = value as Partial<MetadataData> | null;
  return typeof md === 'object' && md !== null && typeof md.majorRevision === 'number' && Array.isArray(md.items);
}

/**
 * Interest-based user-metadata subjects: the gateway subscribes to a user's metadata subject only
 * while one of its sessions subscribed to that user. Sets are applied in revision order (an older or
 * repeated one is dropped) and pushed whole to the subscribed sessions.
 */
@Injectable()
export class UserMetadataWatch {
  private readonly registry: InterestRegistry<Session, WatchState>;

  constructor(bus: NatsBus) {
    this.registry = new InterestRegistry(bus, (watch, body) => this.onChange(watch, body));
  }

  /** The user's watch, created (and subscribed) when missing; call flush() before asking for a snapshot. */
  ensure(appId: string, uid: string): MetadataWatch {
    return this.registry.acquire(userKey(appId, uid), MetadataSubjects.user(appId as AppId, uid), () => ({ appId, uid: ownString(uid), latest: null }));
  }

  /** Makes sure new subscriptions are active on the server (before reading a snapshot). */
  flush(): Promise<void> {
    return this.registry.flush();
  }

  /** A snapshot from the attributes service: kept unless a newer set already arrived. */
  applySnapshot(watch: MetadataWatch, md: MetadataData): void {
    if (!watch.latest || md.majorRevision > watch.latest.majorRevision) watch.latest = md;
  }

  /** Drops the session from the user's watchers; the subscription ends with the last one. */
  release(session: Session | null, appId: string, uid: string): void {
    this.registry.remove(userKey(appId, uid), session ?? undefined);
  }

  get size(): number {
    return this.registry.size;
  }

  private onChange(watch: MetadataWatch, body: unknown): void {
    const md = (body as Partial<UserMetadataEvent> | null)?.md;
    if (!isMetadataData(md)) return;
    if (watch.latest && md.majorRevision <= watch.latest.majorRevision) return;
    watch.latest = md;
    const event: UserMetadataEvent = { uid: watch.uid, md };
    for (const session of watch.members) session.conn?.event(Evt.USER_METADATA, event);
  }
}
