import {
  capped,
  INITIAL,
  isLoggedIn,
  localInvitationText,
  memberJoined,
  memberLeft,
  membersLoaded,
  queried,
  sentResult,
  subscribed,
  unsubscribed,
  type ChannelState,
} from './state';

const channel = (over: Partial<ChannelState> = {}): ChannelState => ({
  name: 'c',
  joined: true,
  members: [],
  count: null,
  messages: [],
  attributes: {},
  ...over,
});

describe('playground state', () => {
  it('keeps lists to their newest entries', () => {
    expect(capped([1, 2, 3], 4, 3)).toEqual([2, 3, 4]);
    expect(capped([], 'a')).toEqual(['a']);
  });

  it('knows when the session is logged in', () => {
    expect(isLoggedIn(INITIAL)).toBe(false);
    expect(isLoggedIn({ uid: 'a', connection: 'RECONNECTING' })).toBe(true);
    expect(isLoggedIn({ uid: 'a', connection: 'ABORTED' })).toBe(false);
  });

  it('sets one sent message’s result', () => {
    const s = { ...INITIAL, sent: [1, 2].map((key) => ({ key, to: 'b', text: `t${key}`, result: 'SENDING' })) };
    expect(sentResult(s, 2, 'PEER_RECEIVED').sent!.map((m) => m.result)).toEqual(['SENDING', 'PEER_RECEIVED']);
  });

  it('keeps the member list sorted and without duplicates', () => {
    const c = channel({ members: ['bob'] });
    expect(memberJoined(c, 'alice').members).toEqual(['alice', 'bob']);
    expect(memberJoined(c, 'bob').members).toEqual(['bob']);
    expect(memberLeft(c, 'bob').members).toEqual([]);
    expect(membersLoaded(channel({ members: ['zed'] }), ['bob', 'alice'])).toEqual({ members: ['alice', 'bob', 'zed'], count: 3 });
    expect(membersLoaded(channel({ count: 5 }), ['bob'])).toEqual({ members: ['bob'], count: 5 });
  });

  it('merges subscriptions and query answers into the statuses', () => {
    const s = { ...INITIAL, statuses: { bob: 'ONLINE' } };
    expect(subscribed(s, ['bob', 'carol']).statuses).toEqual({ bob: 'ONLINE', carol: '…' });
    expect(unsubscribed(s, ['bob']).statuses).toEqual({});
    expect(queried(s, { bob: false, dave: true }).statuses).toEqual({ bob: 'OFFLINE', dave: 'ONLINE' });
  });

  it('shows an invitation state with its reason', () => {
    expect(localInvitationText('ACCEPTED_BY_REMOTE')).toBe('ACCEPTED_BY_REMOTE');
    expect(localInvitationText('FAILURE', 'PEER_NO_RESPONSE')).toBe('FAILURE: PEER_NO_RESPONSE');
  });
});
