import { Inject, Injectable, Logger } from '@nestjs/common';
import { ErrorCode, InvitationFailure, InvitationState, ParleyError, PeerState, type AppId, type InvitationSnapshot, type Uid } from '@parley/contracts';
import {
  INVITATION_SYNCS_MAX,
  Patterns,
  Subjects,
  type InvitationActionRequest,
  type InvitationCreateRequest,
  type InvitationSyncRequest,
  type InvitationSyncsReply,
  type InvitationSyncsRequest,
  type StatusSnapshotReply,
  type StatusSnapshotRequest,
} from '@parley/contracts/internal';
import { batchItems, errorReply, ServiceClient } from '@parley/platform';
import { INVITATION_CONFIG, type InvitationConfig } from '../config/invitation.config';
import { InvitationNotifier } from './invitation-notifier';
import { InvitationWatchService } from './invitation-watch.service';
import { checkAction, checkCreate, checkSync, deadlineOf, TRANSITIONS, type CheckedCreate, type InvitationAction } from './invitation-rules';
import { InvitationsRepository, type InvitationRecord } from './invitations.repository';

/**
 * The requests of the two parties of a call invitation. Each answers the invitation's snapshot after
 * the call: the new one when the call moved it, the current one when it did not (another call won,
 * or it was a resend), so a client can always settle on what the server holds.
 */
@Injectable()
export class InvitationsService {
  private readonly logger = new Logger(InvitationsService.name);

  constructor(
    private readonly repository: InvitationsRepository,
    private readonly notifier: InvitationNotifier,
    private readonly watch: InvitationWatchService,
    private readonly services: ServiceClient,
    @Inject(INVITATION_CONFIG) private readonly config: InvitationConfig,
  ) {}

  /** SENT, or FAILED/PEER_OFFLINE when the callee is not logged in. A resend with the same id answers the current snapshot. */
  async create(req: InvitationCreateRequest): Promise<InvitationSnapshot> {
    const inv = checkCreate(req, this.config.INVITATION_TEXT_MAX_BYTES);
    const existing = await this.repository.find(inv);
    if (existing) return this.resent(inv, existing);
    const [state] = (
      await this.services.requestIdempotent<StatusSnapshotReply>(Subjects.presence.statuses, {
        appId: inv.appId,
        uids: [inv.callee],
      } satisfies StatusSnapshotRequest)
    ).states;
    const created = await this.repository.insert(
      inv,
      state === PeerState.OFFLINE
        ? { state: InvitationState.FAILED, reason: InvitationFailure.PEER_OFFLINE }
        : { state: InvitationState.SENT, deadlineMs: this.config.INVITATION_ACK_TIMEOUT_MS },
    );
    if (!created) {
      // A concurrent resend inserted it first.
      const current = await this.repository.find(inv);
      if (!current) throw new ParleyError(ErrorCode.UNKNOWN, 'invitation vanished while being created');
      return this.resent(inv, current);
    }
    if (created.snapshot.state === InvitationState.SENT) this.watch.deadlineIn(this.config.INVITATION_ACK_TIMEOUT_MS);
    this.notifier.publish([created]);
    return created.snapshot;
  }

  received(req: InvitationActionRequest): Promise<InvitationSnapshot> {
    return this.act('received', req);
  }

  accept(req: InvitationActionRequest): Promise<InvitationSnapshot> {
    return this.act('accept', req);
  }

  refuse(req: InvitationActionRequest): Promise<InvitationSnapshot> {
    return this.act('refuse', req);
  }

  confirmAccept(req: InvitationActionRequest): Promise<InvitationSnapshot> {
    return this.act('confirmAccept', req);
  }

  cancel(req: InvitationActionRequest): Promise<InvitationSnapshot> {
    return this.act('cancel', req);
  }

  /** Invitations of the uid that are open or ended lately, oldest first (what a client resumes from). */
  async sync(req: InvitationSyncRequest): Promise<InvitationSnapshot[]> {
    const { appId, uid } = checkSync(req);
    return (await this.repository.listOf(appId, uid, this.config.INVITATION_KEEP_RECENT_MS)).map((r) => r.snapshot);
  }

  /**
   * Patterns.invitation.syncs: a gateway's batch (the logins that resume in one of its turns), each
   * sync answered on its own (a malformed one fails no other), read by one statement per app.
   */
  async syncs(req: InvitationSyncsRequest): Promise<InvitationSyncsReply> {
    const syncs = batchItems(req, 'syncs', INVITATION_SYNCS_MAX);
    const results: InvitationSyncsReply['results'] = new Array(syncs.length);
    const byApp = new Map<AppId, { at: number; uid: Uid }[]>();
    syncs.forEach((sync: unknown, at) => {
      try {
        const { appId, uid } = checkSync(sync as InvitationSyncRequest);
        (byApp.get(appId) ?? byApp.set(appId, []).get(appId)!).push({ at, uid });
      } catch (err) {
        results[at] = errorReply(Patterns.invitation.syncs, err, this.logger);
      }
    });
    await Promise.all(
      [...byApp].map(async ([appId, wanted]) => {
        try {
          const lists = await this.repository.listOfMany(
            appId,
            wanted.map((w) => w.uid),
            this.config.INVITATION_KEEP_RECENT_MS,
          );
          for (const w of wanted) results[w.at] = { ok: true, data: lists.get(w.uid)!.map((r) => r.snapshot) };
        } catch (err) {
          // One app's failed statement fails its syncs, answered (and logged) once.
          const failed = errorReply(Patterns.invitation.syncs, err, this.logger);
          for (const w of wanted) results[w.at] = failed;
        }
      }),
    );
    return { results };
  }

  private resent(inv: CheckedCreate, existing: InvitationRecord): InvitationSnapshot {
    if (existing.snapshot.callee !== inv.callee) {
      throw new ParleyError(ErrorCode.INVITATION_ALREADY_SENT, 'this id is an invitation to another callee');
    }
    return existing.snapshot;
  }

  private async act(action: InvitationAction, req: InvitationActionRequest): Promise<InvitationSnapshot> {
    const rule = TRANSITIONS[action];
    const key = checkAction(req, rule, this.config.INVITATION_TEXT_MAX_BYTES);
    // The caller is part of the key; the callee is checked by the statement itself.
    const mayAct = rule.by === 'callee' || key.uid === key.caller;
    const deadlineMs = deadlineOf(rule, this.config);
    const changed = mayAct
      ? await this.repository.transition(key, {
          from: rule.from,
          to: rule.to,
          callee: rule.by === 'callee' ? key.uid : undefined,
          response: rule.withResponse ? key.response : undefined,
          deadlineMs,
        })
      : null;
    if (changed) {
      if (deadlineMs !== null) this.watch.deadlineIn(deadlineMs);
      this.notifier.publish([changed]);
      return changed.snapshot;
    }
    const current = await this.repository.find(key);
    if (!current) throw new ParleyError(ErrorCode.INVITATION_NOT_STARTED, 'no such invitation');
    const party = rule.by === 'caller' ? current.snapshot.caller : current.snapshot.callee;
    if (key.uid !== party) throw new ParleyError(ErrorCode.INVALID_ARGUMENT, `only the ${rule.by} may ${action} this invitation`);
    return current.snapshot;
  }
}
