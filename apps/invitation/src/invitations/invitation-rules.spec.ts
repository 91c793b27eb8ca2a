import { ErrorCode, InvitationState, ParleyError } from '@parley/contracts';
import { type InvitationActionRequest, type InvitationCreateRequest } from '@parley/contracts/internal';
import { readInvitationConfig } from '../config/invitation.config';
import { byteLength, checkAction, checkCreate, checkSync, deadlineOf, OPEN_STATES, TRANSITIONS } from './invitation-rules';

const APP = 'a'.repeat(32);
const MAX = 8192;

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof ParleyError) return err.code;
    throw err;
  }
  return undefined;
}

const create = (over: Partial<Record<keyof InvitationCreateRequest, unknown>> = {}) =>
  ({ appId: APP, caller: 'alice', id: 'inv-1', callee: 'bob', content: 'hi', ch: 'room', ...over }) as InvitationCreateRequest;
const action = (over: Partial<Record<keyof InvitationActionRequest, unknown>> = {}) =>
  ({ appId: APP, caller: 'alice', id: 'inv-1', uid: 'bob', ...over }) as InvitationActionRequest;

describe('invitation rules', () => {
  it('reads the agora-rtm timers and limits by default, and takes overrides', () => {
    const config = readInvitationConfig({});
    expect(config).toMatchObject({
      INVITATION_ACK_TIMEOUT_MS: 30_000,
      INVITATION_EXPIRE_MS: 60_000,
      INVITATION_ACCEPT_TIMEOUT_MS: 5_000,
      INVITATION_SWEEP_MS: 30_000,
      INVITATION_SWEEP_GAP_MS: 250,
      INVITATION_TEXT_MAX_BYTES: 8192,
      INVITATION_KEEP_RECENT_MS: 120_000,
      INVITATION_KEEP_ENDED_MS: 600_000,
    });
    expect(readInvitationConfig({ INVITATION_EXPIRE_MS: '250' }).INVITATION_EXPIRE_MS).toBe(250);
    expect(() => readInvitationConfig({ INVITATION_SWEEP_MS: 'soon' })).toThrow(/INVITATION_SWEEP_MS/);
  });

  it('accepts a well-formed invitation, with empty content and channel', () => {
    expect(checkCreate(create(), MAX)).toEqual({ appId: APP, caller: 'alice', id: 'inv-1', callee: 'bob', content: 'hi', ch: 'room' });
    expect(checkCreate(create({ content: '', ch: '' }), MAX)).toMatchObject({ content: '', ch: '' });
    expect(checkCreate(create({ id: 'x'.repeat(128), callee: 'bob smith.2' }), MAX)).toMatchObject({ callee: 'bob smith.2' });
  });

  it('rejects bad ids, a call to oneself, and bad content or channel with INVALID_ARGUMENT (bad app: INVALID_APP_ID)', () => {
    expect(codeOf(() => checkCreate(create({ appId: 'short' }), MAX))).toBe(ErrorCode.INVALID_APP_ID);
    for (const bad of [
      { caller: '' },
      { caller: 'null' },
      { callee: 'x'.repeat(65) },
      { callee: ' leading' },
      { callee: 'tab\there' },
      { callee: undefined },
      { callee: 'alice' },
      { id: '' },
      { id: 'x'.repeat(129) },
      { id: 42 },
      { id: 'nul\u0000' },
      { content: undefined },
      { content: 'nul\u0000' },
      { content: 'x'.repeat(MAX + 1) },
      { content: '中'.repeat(2731) }, // 8193 bytes in 2731 characters
      { ch: 'null' },
      { ch: 'bad/channel' },
      { ch: undefined },
    ]) {
      expect([bad, codeOf(() => checkCreate(create(bad), MAX))]).toEqual([bad, ErrorCode.INVALID_ARGUMENT]);
    }
  });

  it('counts content in UTF-8 bytes and ids in characters', () => {
    expect(byteLength('中😀')).toBe(7);
    expect(codeOf(() => checkCreate(create({ content: 'x'.repeat(MAX) }), MAX))).toBeUndefined();
    expect(codeOf(() => checkCreate(create({ content: '中'.repeat(2730) + 'xx' }), MAX))).toBeUndefined(); // 8192 bytes
    expect(codeOf(() => checkCreate(create({ content: 'abc' }), 2))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(codeOf(() => checkCreate(create({ id: '😀'.repeat(128) }), MAX))).toBeUndefined(); // 256 UTF-16 units, 128 characters
    expect(codeOf(() => checkCreate(create({ id: '😀'.repeat(129) }), MAX))).toBe(ErrorCode.INVALID_ARGUMENT);
  });

  it('checks an action and keeps the response only where the action stores one', () => {
    expect(checkAction(action({ response: 'yes' }), TRANSITIONS.accept, MAX)).toEqual({
      appId: APP,
      caller: 'alice',
      id: 'inv-1',
      uid: 'bob',
      response: 'yes',
    });
    expect(checkAction(action({ response: 'no' }), TRANSITIONS.refuse, MAX).response).toBe('no');
    expect(checkAction(action(), TRANSITIONS.accept, MAX).response).toBe('');
    expect(checkAction(action({ response: null }), TRANSITIONS.accept, MAX).response).toBe('');
    expect(checkAction(action({ response: 'ignored', uid: 'alice' }), TRANSITIONS.cancel, MAX).response).toBe('');
    expect(codeOf(() => checkAction(action({ response: 'x'.repeat(MAX + 1) }), TRANSITIONS.accept, MAX))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(codeOf(() => checkAction(action({ response: 7 }), TRANSITIONS.refuse, MAX))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(codeOf(() => checkAction(action({ uid: '' }), TRANSITIONS.received, MAX))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(codeOf(() => checkAction(action({ caller: 'a b ' + 'x'.repeat(70) }), TRANSITIONS.received, MAX))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(codeOf(() => checkAction(action({ id: '' }), TRANSITIONS.cancel, MAX))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(codeOf(() => checkAction(action({ appId: 'x' }), TRANSITIONS.cancel, MAX))).toBe(ErrorCode.INVALID_APP_ID);
    expect(codeOf(() => checkSync({ appId: APP, uid: '' }))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(checkSync({ appId: APP, uid: 'bob' })).toEqual({ appId: APP, uid: 'bob' });
  });

  it('lets the callee ack, accept and refuse, the caller confirm and cancel; a cancel beats an unconfirmed acceptance', () => {
    const { SENT, RECEIVED, ACCEPT_PENDING, ACCEPTED, REFUSED, CANCELED } = InvitationState;
    expect(OPEN_STATES).toEqual([SENT, RECEIVED, ACCEPT_PENDING]);
    expect(TRANSITIONS).toEqual({
      received: { by: 'callee', from: [SENT], to: RECEIVED, deadline: 'INVITATION_EXPIRE_MS' },
      accept: { by: 'callee', from: [SENT, RECEIVED], to: ACCEPT_PENDING, deadline: 'INVITATION_ACCEPT_TIMEOUT_MS', withResponse: true },
      refuse: { by: 'callee', from: [SENT, RECEIVED], to: REFUSED, withResponse: true },
      confirmAccept: { by: 'caller', from: [ACCEPT_PENDING], to: ACCEPTED },
      cancel: { by: 'caller', from: [SENT, RECEIVED, ACCEPT_PENDING], to: CANCELED },
    });
    const config = readInvitationConfig({ INVITATION_EXPIRE_MS: '111', INVITATION_ACCEPT_TIMEOUT_MS: '222' });
    expect(deadlineOf(TRANSITIONS.received, config)).toBe(111);
    expect(deadlineOf(TRANSITIONS.accept, config)).toBe(222);
    expect(deadlineOf(TRANSITIONS.cancel, config)).toBeNull();
  });
});
