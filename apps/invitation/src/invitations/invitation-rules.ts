import { ErrorCode, INVITATION_LIMITS, InvitationState, isChannelId, isUid, ParleyError, requireAppId, type AppId, type Uid } from '@parley/contracts';
import { type InvitationActionRequest, type InvitationCreateRequest, type InvitationSyncRequest } from '@parley/contracts/internal';
import type { InvitationConfig } from '../config/invitation.config';

/**
 * The rules of call invitations: what a request may carry, and which party moves an invitation from
 * which states to which. Every request passes through here before any SQL runs.
 */

/** An invitation's key: the caller picks the id, unique per caller. */
export interface InvitationKey {
  appId: AppId;
  caller: Uid;
  id: string;
}

export interface CheckedCreate extends InvitationKey {
  callee: Uid;
  content: string;
  ch: string;
}

export interface CheckedAction extends InvitationKey {
  /** Who asks. */
  uid: Uid;
  response: string;
}

/** States an invitation is still open in (the ones a deadline or an OFFLINE party can end). */
export const OPEN_STATES: readonly InvitationState[] = [InvitationState.SENT, InvitationState.RECEIVED, InvitationState.ACCEPT_PENDING];

export type InvitationAction = 'received' | 'accept' | 'refuse' | 'confirmAccept' | 'cancel';
type DeadlineSetting = 'INVITATION_EXPIRE_MS' | 'INVITATION_ACCEPT_TIMEOUT_MS';

export interface TransitionRule {
  /** The party allowed to ask. */
  by: 'caller' | 'callee';
  from: readonly InvitationState[];
  to: InvitationState;
  /** The new state times out after this setting (none: the state is terminal). */
  deadline?: DeadlineSetting;
  /** The request's response text is stored. */
  withResponse?: boolean;
}

/** The invitation's state machine; a cancel beats an acceptance the caller has not confirmed yet. */
export const TRANSITIONS: Readonly<Record<InvitationAction, TransitionRule>> = {
  received: { by: 'callee', from: [InvitationState.SENT], to: InvitationState.RECEIVED, deadline: 'INVITATION_EXPIRE_MS' },
  accept: {
    by: 'callee',
    from: [InvitationState.SENT, InvitationState.RECEIVED],
    to: InvitationState.ACCEPT_PENDING,
    deadline: 'INVITATION_ACCEPT_TIMEOUT_MS',
    withResponse: true,
  },
  refuse: { by: 'callee', from: [InvitationState.SENT, InvitationState.RECEIVED], to: InvitationState.REFUSED, withResponse: true },
  confirmAccept: { by: 'caller', from: [InvitationState.ACCEPT_PENDING], to: InvitationState.ACCEPTED },
  cancel: { by: 'caller', from: OPEN_STATES, to: InvitationState.CANCELED },
};

/** Milliseconds until the state a rule leads to times out, null for a terminal state. */
export function deadlineOf(rule: TransitionRule, config: Readonly<InvitationConfig>): number | null {
  return rule.deadline ? config[rule.deadline] : null;
}

function invalid(message: string): never {
  throw new ParleyError(ErrorCode.INVALID_ARGUMENT, message);
}

/** agora-rtm reports any bad argument of an invitation call as INVITATION_API_CALL_ERR_INVALID_ARGUMENT. */
function requireParty(value: unknown, name: string): Uid {
  if (!isUid(value)) invalid(`${name}: not a valid user id`);
  return value;
}

export function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Postgres text cannot hold NUL. */
const NUL = '\u0000';

function requireInvitationId(value: unknown): string {
  if (typeof value !== 'string' || value.includes(NUL)) invalid('id: a string');
  // Code points, as the varchar column counts them.
  const length = [...value].length;
  if (length < 1 || length > INVITATION_LIMITS.ID_MAX_LENGTH) invalid(`id: 1–${INVITATION_LIMITS.ID_MAX_LENGTH} characters`);
  return value;
}

function requireText(value: unknown, name: string, maxBytes: number): string {
  if (typeof value !== 'string' || value.includes(NUL)) invalid(`${name}: a string`);
  if (byteLength(value) > maxBytes) invalid(`${name}: at most ${maxBytes} UTF-8 bytes`);
  return value;
}

export function checkCreate(req: InvitationCreateRequest, maxBytes: number): CheckedCreate {
  const appId = requireAppId(req?.appId);
  const caller = requireParty(req.caller, 'caller');
  const callee = requireParty(req.callee, 'callee');
  if (callee === caller) invalid('callee: not the caller');
  const id = requireInvitationId(req.id);
  const content = requireText(req.content, 'content', maxBytes);
  if (req.ch !== '' && !isChannelId(req.ch)) invalid('ch: empty or a valid channel id');
  return { appId, caller, id, callee, content, ch: req.ch };
}

export function checkAction(req: InvitationActionRequest, rule: TransitionRule, maxBytes: number): CheckedAction {
  const appId = requireAppId(req?.appId);
  const caller = requireParty(req.caller, 'caller');
  const id = requireInvitationId(req.id);
  const uid = requireParty(req.uid, 'uid');
  // A missing response (undefined, or nil after MessagePack) is the empty one.
  const given = rule.withResponse && req.response !== undefined && req.response !== null;
  const response = given ? requireText(req.response, 'response', maxBytes) : '';
  return { appId, caller, id, uid, response };
}

export function checkSync(req: InvitationSyncRequest): { appId: AppId; uid: Uid } {
  return { appId: requireAppId(req?.appId), uid: requireParty(req.uid, 'uid') };
}
