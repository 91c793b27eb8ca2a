import { ErrorCode } from '@parley/contracts';
import {
  OPERATION_ERRORS,
  RtmError,
  RtmInvalidStatusError,
  RtmTimeoutError,
  abortedByLogout,
  notImplemented,
  notLoggedIn,
  rtmError,
  type Operation,
} from './errors';

describe('errors', () => {
  it('formats "<msg> Error Code <code>, server Code <n>" and keeps the class name', () => {
    const err = rtmError('LOGIN', ErrorCode.INVALID_TOKEN, 'bad signature');
    expect(err).toBeInstanceOf(RtmError);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('RtmUnauthenticatedError');
    expect(err.message).toBe(`LOGIN: bad signature. Error Code 5, server Code ${ErrorCode.INVALID_TOKEN}`);
    expect(String(err)).toMatch(/^RtmUnauthenticatedError: /);
    expect([err.code, err.serverCode]).toEqual([5, ErrorCode.INVALID_TOKEN]);
  });

  it.each<[Operation, number, string, number]>([
    ['LOGIN', ErrorCode.INVALID_APP_ID, 'RtmUnauthenticatedError', 4],
    ['LOGIN', ErrorCode.TIMEOUT, 'RtmTimeoutError', 9],
    ['LOGIN', ErrorCode.ALREADY_LOGIN, 'RtmInvalidStatusError', 8],
    ['RENEW_TOKEN', ErrorCode.TIMEOUT, 'RtmTimeoutError', 1],
    ['PEER_MESSAGE', ErrorCode.INVALID_USER_ID, 'RtmInvalidArgumentError', 6],
    ['PEER_MESSAGE', ErrorCode.NOT_LOGGED_IN, 'RtmInvalidStatusError', 102],
    ['PEER_MESSAGE', ErrorCode.INVALID_MESSAGE, 'RtmInvalidArgumentError', 7],
    ['PEER_MESSAGE', ErrorCode.SIZE_OVERFLOW, 'RtmInvalidArgumentError', 7],
    ['PEER_MESSAGE', ErrorCode.TOO_OFTEN, 'RtmLimitExceededError', 5],
    ['PEER_MESSAGE', ErrorCode.TIMEOUT, 'RtmTimeoutError', 2],
    ['PEER_MESSAGE', ErrorCode.UNAVAILABLE, 'RtmUnknownError', 1],
    ['PEER_MESSAGE', ErrorCode.UNKNOWN, 'RtmUnknownError', 1],
    ['PEER_MESSAGE', ErrorCode.PEER_UNREACHABLE, 'RtmUnknownError', 1],
    ['PEER_MESSAGE', ErrorCode.INVALID_ARGUMENT, 'RtmUnknownError', 1],
    ['PEER_MESSAGE', 999, 'RtmUnknownError', 1],
    ['CHANNEL_MESSAGE', ErrorCode.NOT_IN_CHANNEL, 'RtmInvalidStatusError', 5],
    ['CHANNEL_MESSAGE', ErrorCode.TOO_OFTEN, 'RtmLimitExceededError', 3],
    ['CHANNEL_MESSAGE', ErrorCode.SIZE_OVERFLOW, 'RtmInvalidArgumentError', 4],
    ['CHANNEL_MESSAGE', ErrorCode.PEER_UNREACHABLE, 'RtmUnknownError', 1],
    ['JOIN_CHANNEL', ErrorCode.TOO_OFTEN, 'RtmInvokeTooOftenError', 7],
    ['JOIN_CHANNEL', ErrorCode.REJECTED, 'RtmUnknownError', 1],
    ['JOIN_CHANNEL', ErrorCode.SIZE_OVERFLOW, 'RtmUnknownError', 1],
    ['LEAVE_CHANNEL', ErrorCode.NOT_IN_CHANNEL, 'RtmInvalidStatusError', 3],
    ['LEAVE_CHANNEL', ErrorCode.TIMEOUT, 'RtmTimeoutError', 1],
    ['GET_MEMBERS', ErrorCode.TOO_OFTEN, 'RtmInvokeTooOftenError', 4],
    ['GET_CHANNEL_MEMBER_COUNT', ErrorCode.TOO_OFTEN, 'RtmInvokeTooOftenError', 3],
    ['JOIN_CHANNEL', ErrorCode.EXCEED_LIMIT, 'RtmLimitExceededError', 5],
    ['JOIN_CHANNEL', ErrorCode.JOIN_SAME_CHANNEL_TOO_OFTEN, 'RtmInvokeTooOftenError', 8],
    ['JOIN_CHANNEL', ErrorCode.ALREADY_JOINED, 'RtmInvalidStatusError', 6],
    ['ATTRIBUTE_OPERATION', ErrorCode.SIZE_OVERFLOW, 'RtmLimitExceededError', 4],
    ['ATTRIBUTE_OPERATION', ErrorCode.USER_NOT_FOUND, 'RtmInvalidArgumentError', 6],
    ['ATTRIBUTE_OPERATION', ErrorCode.NOT_LOGGED_IN, 'RtmInvalidStatusError', 102],
    ['ATTRIBUTE_OPERATION', ErrorCode.TOO_OFTEN, 'RtmInvokeTooOftenError', 5],
    ['ATTRIBUTE_OPERATION', ErrorCode.INVALID_ARGUMENT, 'RtmInvalidArgumentError', 3],
    ['ATTRIBUTE_OPERATION', ErrorCode.OVERFLOW, 'RtmLimitExceededError', 4],
    ['ATTRIBUTE_OPERATION', ErrorCode.TIMEOUT, 'RtmTimeoutError', 7],
    ['ATTRIBUTE_OPERATION', ErrorCode.UNKNOWN, 'RtmUnknownError', 2],
    ['PEER_SUBSCRIPTION_STATUS', ErrorCode.OVERFLOW, 'RtmLimitExceededError', 6],
    ['PEER_SUBSCRIPTION_STATUS', ErrorCode.EXCEED_LIMIT, 'RtmLimitExceededError', 6],
    ['PEER_SUBSCRIPTION_STATUS', ErrorCode.TOO_OFTEN, 'RtmInvokeTooOftenError', 5],
    ['PEER_SUBSCRIPTION_STATUS', ErrorCode.INVALID_USER_ID, 'RtmInvalidArgumentError', 2],
    ['PEER_SUBSCRIPTION_STATUS', ErrorCode.TIMEOUT, 'RtmTimeoutError', 4],
    ['PEER_SUBSCRIPTION_STATUS', ErrorCode.NOT_LOGGED_IN, 'RtmInvalidStatusError', 102],
    ['QUERY_PEERS_BY_SUBSCRIPTION_OPTION', ErrorCode.TOO_OFTEN, 'RtmInvokeTooOftenError', 3],
    ['QUERY_PEERS_BY_SUBSCRIPTION_OPTION', ErrorCode.TIMEOUT, 'RtmTimeoutError', 2],
    ['QUERY_PEERS_BY_SUBSCRIPTION_OPTION', ErrorCode.UNAVAILABLE, 'RtmUnavailableError', 1],
    ['METADATA_OPERATION', ErrorCode.INVALID_USER_ID, 'RtmInvalidArgumentError', 2],
    ['METADATA_OPERATION', ErrorCode.DUPLICATE_KEY, 'RtmInvalidArgumentError', 5],
    ['METADATA_OPERATION', ErrorCode.OUTDATED_REVISION, 'RtmInvalidStatusError', 8],
    ['METADATA_OPERATION', ErrorCode.KEY_NOT_FOUND, 'RtmInvalidArgumentError', 3],
    ['METADATA_OPERATION', ErrorCode.SIZE_OVERFLOW, 'RtmLimitExceededError', 4],
    ['METADATA_OPERATION', ErrorCode.NOT_IN_CHANNEL, 'RtmInvalidStatusError', 9],
    ['METADATA_OPERATION', ErrorCode.TOO_OFTEN, 'RtmInvokeTooOftenError', 6],
    ['METADATA_OPERATION', ErrorCode.TIMEOUT, 'RtmTimeoutError', 7],
    ['METADATA_OPERATION', ErrorCode.NOT_LOGGED_IN, 'RtmInvalidStatusError', 102],
    ['METADATA_OPERATION', ErrorCode.UNKNOWN, 'RtmUnknownError', 1],
    ['METADATA_SUBSCRIPTION', ErrorCode.OVERFLOW, 'RtmLimitExceededError', 5],
    ['METADATA_SUBSCRIPTION', ErrorCode.INVALID_ARGUMENT, 'RtmInvalidArgumentError', 3],
    ['METADATA_SUBSCRIPTION', ErrorCode.TOO_OFTEN, 'RtmInvokeTooOftenError', 4],
    ['METADATA_SUBSCRIPTION', ErrorCode.TIMEOUT, 'RtmTimeoutError', 2],
    ['METADATA_SUBSCRIPTION', ErrorCode.UNAVAILABLE, 'RtmUnavailableError', 1],
    ['HISTORY_OPERATION', ErrorCode.NOT_IN_CHANNEL, 'RtmInvalidStatusError', 5],
    ['HISTORY_OPERATION', ErrorCode.INVALID_USER_ID, 'RtmInvalidArgumentError', 2],
    ['HISTORY_OPERATION', ErrorCode.INVALID_ARGUMENT, 'RtmInvalidArgumentError', 2],
    ['HISTORY_OPERATION', ErrorCode.TOO_OFTEN, 'RtmInvokeTooOftenError', 4],
    ['HISTORY_OPERATION', ErrorCode.TIMEOUT, 'RtmTimeoutError', 3],
    ['HISTORY_OPERATION', ErrorCode.UNAVAILABLE, 'RtmUnavailableError', 1],
    ['HISTORY_OPERATION', ErrorCode.NOT_LOGGED_IN, 'RtmInvalidStatusError', 102],
    ['HISTORY_OPERATION', ErrorCode.UNKNOWN, 'RtmUnknownError', 1],
    ['GET_CHANNEL_MEMBER_COUNT', ErrorCode.EXCEED_LIMIT, 'RtmLimitExceededError', 5],
    ['INVITATION_API_CALL', ErrorCode.INVITATION_ALREADY_END, 'RtmInvalidStatusError', 3],
    ['QUERY_PEERS_ONLINE_STATUS', ErrorCode.UNAVAILABLE, 'RtmUnavailableError', 1],
    ['QUERY_PEERS_ONLINE_STATUS', 999, 'RtmUnknownError', 1],
  ])('%s + wire %i → %s code %i', (op, code, name, agoraCode) => {
    const err = rtmError(op, code);
    expect([err.name, err.code]).toEqual([name, agoraCode]);
  });

  it('a client-side timeout carries no serverCode', () => {
    const err = rtmError('GET_MEMBERS', ErrorCode.TIMEOUT, 'late', false);
    expect(err).toBeInstanceOf(RtmTimeoutError);
    expect([err.code, err.serverCode]).toEqual([3, undefined]);
  });

  it('notLoggedIn is 102 and abortedByLogout 201 where the op defines it', () => {
    expect(notLoggedIn('PEER_MESSAGE')).toBeInstanceOf(RtmInvalidStatusError);
    expect(notLoggedIn('PEER_MESSAGE').code).toBe(102);
    expect(abortedByLogout('LOGIN').code).toBe(201);
    expect(abortedByLogout('RENEW_TOKEN').code).toBe(201);
    expect(abortedByLogout('QUERY_PEERS_ONLINE_STATUS').code).toBe(102);
  });

  it('has the 18 agora numeric error tables plus MEDIA_OPERATION and HISTORY_OPERATION', () => {
    expect(Object.keys(OPERATION_ERRORS)).toHaveLength(20);
    expect(OPERATION_ERRORS.LOGIN).toMatchObject({ TIMEOUT: 9, TOO_OFTEN: 10, ABORTED_BY_LOGOUT: 201 });
  });

  it('not-implemented errors say so', () => {
    const err = notImplemented('x', '9.9.9');
    expect([err.name, err.message, err.code]).toEqual(['RtmUnknownError', 'not implemented yet in Parley 9.9.9', undefined]);
  });
});
