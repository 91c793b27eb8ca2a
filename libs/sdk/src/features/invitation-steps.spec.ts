import { InvitationFailure, InvitationState, type InvitationSnapshot } from '@parley/contracts';
import { LocalInvitationState as L, RemoteInvitationState as R } from '../enums';
import { localSteps, remoteSteps, toSnapshot } from './invitation-steps';

const snap = (state: InvitationState, patch: Partial<InvitationSnapshot> = {}): InvitationSnapshot => ({
  id: 'i',
  caller: 'a',
  callee: 'b',
  content: 'c',
  ch: '',
  response: 'r',
  state,
  ts: 1,
  ...patch,
});

const events = (steps: { state: string; event?: string }[]): string[] => steps.map((s) => `${s.event ?? '-'}@${s.state}`);

describe('invitation steps', () => {
  it('caller: a receipt skipped before an outcome that implies it is reported first', () => {
    expect(events(localSteps(L.SENT_TO_REMOTE, snap(InvitationState.ACCEPTED)))).toEqual([
      'LocalInvitationReceivedByPeer@RECEIVED_BY_REMOTE',
      'LocalInvitationAccepted@ACCEPTED_BY_REMOTE',
    ]);
    expect(events(localSteps(L.RECEIVED_BY_REMOTE, snap(InvitationState.ACCEPTED)))).toEqual(['LocalInvitationAccepted@ACCEPTED_BY_REMOTE']);
    expect(events(localSteps(L.SENT_TO_REMOTE, snap(InvitationState.CANCELED)))).toEqual(['LocalInvitationCanceled@CANCELED']);
    expect(events(localSteps(L.SENT_TO_REMOTE, snap(InvitationState.FAILED, { reason: InvitationFailure.PEER_NO_RESPONSE })))).toEqual([
      'LocalInvitationFailure@FAILURE',
    ]);
  });

  it('caller: ACCEPT_PENDING is only a receipt; nothing moves an ended invitation or goes backwards', () => {
    expect(events(localSteps(L.SENT_TO_REMOTE, snap(InvitationState.ACCEPT_PENDING)))).toEqual(['LocalInvitationReceivedByPeer@RECEIVED_BY_REMOTE']);
    expect(localSteps(L.RECEIVED_BY_REMOTE, snap(InvitationState.ACCEPT_PENDING))).toEqual([]);
    expect(localSteps(L.RECEIVED_BY_REMOTE, snap(InvitationState.SENT))).toEqual([]);
    for (const ended of [L.ACCEPTED_BY_REMOTE, L.REFUSED_BY_REMOTE, L.CANCELED, L.FAILURE]) {
      for (const state of Object.values(InvitationState)) expect(localSteps(ended, snap(state))).toEqual([]);
    }
  });

  it('failure reasons map per side', () => {
    const local = (reason?: InvitationFailure) => localSteps(L.RECEIVED_BY_REMOTE, snap(InvitationState.FAILED, { reason }))[0];
    const remote = (reason?: InvitationFailure) => remoteSteps(R.INVITATION_RECEIVED, snap(InvitationState.FAILED, { reason }))[0];
    expect(
      [
        InvitationFailure.PEER_OFFLINE,
        InvitationFailure.PEER_NO_RESPONSE,
        InvitationFailure.INVITATION_EXPIRE,
        InvitationFailure.ACCEPT_FAILURE,
        undefined,
      ].map((r) => {
        const l = local(r);
        const m = remote(r);
        return [l.event === 'LocalInvitationFailure' && l.reason, m.event === 'RemoteInvitationFailure' && m.reason];
      }),
    ).toEqual([
      ['PEER_OFFLINE', 'PEER_OFFLINE'],
      ['PEER_NO_RESPONSE', 'UNKNOWN'],
      ['INVITATION_EXPIRE', 'INVITATION_EXPIRE'],
      ['UNKNOWN', 'ACCEPT_FAILURE'],
      ['UNKNOWN', 'UNKNOWN'],
    ]);
  });

  it('callee: ACCEPT_PENDING moves silently, outcomes fire, ended stays ended', () => {
    expect(events(remoteSteps(R.INVITATION_RECEIVED, snap(InvitationState.ACCEPT_PENDING)))).toEqual(['-@ACCEPT_SENT_TO_LOCAL']);
    expect(remoteSteps(R.ACCEPT_SENT_TO_LOCAL, snap(InvitationState.RECEIVED))).toEqual([]);
    expect(events(remoteSteps(R.ACCEPT_SENT_TO_LOCAL, snap(InvitationState.CANCELED)))).toEqual(['RemoteInvitationCanceled@CANCELED']);
    for (const ended of [R.ACCEPTED, R.REFUSED, R.CANCELED, R.FAILURE]) {
      for (const state of Object.values(InvitationState)) expect(remoteSteps(ended, snap(state))).toEqual([]);
    }
  });

  it('toSnapshot checks the shape and defaults the texts', () => {
    expect(toSnapshot({ id: 'i', caller: 'a', callee: 'b', state: 'SENT' })).toEqual({
      id: 'i',
      caller: 'a',
      callee: 'b',
      content: '',
      ch: '',
      response: '',
      state: 'SENT',
      ts: 0,
    });
    expect(toSnapshot({ ...snap(InvitationState.FAILED), reason: 'WHATEVER' })?.reason).toBeUndefined();
    expect(toSnapshot({ ...snap(InvitationState.FAILED), reason: 'PEER_OFFLINE' })?.reason).toBe('PEER_OFFLINE');
    for (const bad of [null, 'x', { ...snap(InvitationState.SENT), id: 1 }, { ...snap(InvitationState.SENT), state: 'NOPE' }])
      expect(toSnapshot(bad)).toBeUndefined();
  });
});
