import type { AppId, Uid } from '../ids';
import { subjectToken } from '../ids';
import { Subjects } from './subjects';

/**
 * The metadata subjects (attributes service), derived from the one configured prefix like every
 * other subject (subjects.ts); kept in their own file so the metadata feature adds no lines to the
 * shared table. Service request/reply patterns are named without the prefix (@MessagePattern).
 */
export const MetadataPatterns = {
  userWrite: 'svc.attributes.metadata-user-write',
  userGet: 'svc.attributes.metadata-user-get',
  channelWrite: 'svc.attributes.metadata-channel-write',
  channelGet: 'svc.attributes.metadata-channel-get',
} as const;

/** Live view: each getter reads the prefix configured when it is called (as `Subjects`). */
export const MetadataSubjects = {
  get userWrite(): string {
    return `${Subjects.prefix}.${MetadataPatterns.userWrite}`;
  },
  get userGet(): string {
    return `${Subjects.prefix}.${MetadataPatterns.userGet}`;
  },
  get channelWrite(): string {
    return `${Subjects.prefix}.${MetadataPatterns.channelWrite}`;
  },
  get channelGet(): string {
    return `${Subjects.prefix}.${MetadataPatterns.channelGet}`;
  },
  /**
   * One user's metadata changes (UserMetadataEvent), in revision order; a gateway subscribes while
   * one of its sessions subscribed to the user's metadata.
   */
  user: (appId: AppId, uid: Uid | string): string => `${Subjects.prefix}.${appId}.umeta.${subjectToken(uid)}`,
};
