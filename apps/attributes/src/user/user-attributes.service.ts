import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ID_LIMITS, ErrorCode, ParleyError, requireAppId, requireUid, type AttributesMap } from '@parley/contracts';
import { type UserAttrsGetRequest, type UserAttrsGoneRequest, type UserAttrsWriteRequest } from '@parley/contracts/internal';
import { Alarm, jittered } from '@parley/platform';
import { ATTRIBUTES_CONFIG, type AttributesConfig } from '../config/attributes.config';
import { checkMerged, parseChange, parseKeyFilter, userLimits, type AttributeLimits } from '../rules/attribute-rules';
import { UserAttributesRepository } from './user-attributes.repository';

/** A set without a session is kept this long after its last write (the write may precede the login's registration). */
export const ORPHAN_IDLE_MS = 60_000;
const INSTANCE_ID_MAX = ID_LIMITS.INSTANCE_ID_MAX;

function requireInstanceId(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > INSTANCE_ID_MAX) {
    throw new ParleyError(ErrorCode.INVALID_ARGUMENT, 'invalid instance id');
  }
  return value;
}

/** The local user's attributes: written by its login, read by anyone of the app, gone with the login. */
@Injectable()
export class UserAttributesService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(UserAttributesService.name);
  private readonly limits: AttributeLimits;
  private readonly sweeper = new Alarm(() => {
    void this.sweep();
    this.sweeper.in(jittered(this.config.USER_ATTRS_SWEEP_MS));
  });

  constructor(
    private readonly repository: UserAttributesRepository,
    @Inject(ATTRIBUTES_CONFIG) private readonly config: AttributesConfig,
  ) {
    this.limits = userLimits(config);
  }

  /**
   * A write of the login `instanceId` (the SDK's), or of the user's current login when it is absent
   * (the server API): USER_NOT_FOUND when the user has no session.
   */
  async write(req: UserAttrsWriteRequest): Promise<null> {
    const appId = requireAppId(req?.appId);
    const uid = requireUid(req.uid);
    const instanceId = req.instanceId === undefined || req.instanceId === null ? undefined : requireInstanceId(req.instanceId);
    const change = parseChange(req, this.limits);
    const written = await this.repository.write(appId, uid, instanceId, change, (current) => checkMerged(current, change, this.limits));
    if (!written) throw new ParleyError(ErrorCode.USER_NOT_FOUND, `${uid} is not logged in`);
    return null;
  }

  async get(req: UserAttrsGetRequest): Promise<AttributesMap> {
    const appId = requireAppId(req?.appId);
    const uid = requireUid(req.uid);
    return Object.fromEntries(await this.repository.get(appId, uid, parseKeyFilter(req.keys, this.limits)));
  }

  async gone(req: UserAttrsGoneRequest): Promise<{ removed: boolean }> {
    const appId = requireAppId(req?.appId);
    const uid = requireUid(req.uid);
    return { removed: await this.repository.remove(appId, uid, requireInstanceId(req.instanceId)) };
  }

  onApplicationBootstrap(): void {
    // At once: what was left while no replica ran goes now (and the database client is warm before the first request).
    void this.sweep();
    this.sweeper.in(jittered(this.config.USER_ATTRS_SWEEP_MS));
  }

  onApplicationShutdown(): void {
    this.sweeper.cancel();
  }

  /** Removes sets whose login ended without a userGone (a gateway died, a message was lost). */
  async sweep(): Promise<number> {
    try {
      const removed = await this.repository.sweepOrphans(ORPHAN_IDLE_MS);
      if (removed) this.logger.log({ msg: 'orphan user attribute sets removed', count: removed });
      return removed;
    } catch (err) {
      this.logger.warn(`user attributes sweep failed: ${(err as Error).message}`);
      return 0;
    }
  }
}
