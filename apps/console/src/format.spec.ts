import { describeError, errorName, formatBytes, parseList, peerResult } from './format';

describe('console formatting', () => {
  it('shows an SDK error by its name and code', () => {
    const err = Object.assign(new Error('peerId must be a non-empty string'), { name: 'RtmInvalidArgumentError', code: 1 });
    expect(describeError(err)).toBe('RtmInvalidArgumentError (code 1): peerId must be a non-empty string');
    expect(errorName(err)).toBe('RtmInvalidArgumentError');
    expect(describeError(new Error('plain'))).toBe('Error: plain');
    expect(describeError('text')).toBe('text');
    expect(errorName(undefined)).toBe('Error');
    expect(describeError(Object.assign(new Error('401 unauthorized: bad token'), { name: 'AdminApiError', code: 'unauthorized' }))).toBe(
      '401 unauthorized: bad token',
    );
  });

  it('names a peer message’s delivery result', () => {
    expect(peerResult({ hasPeerReceived: true, deliveryState: 'RECEIVED' })).toBe('PEER_RECEIVED');
    expect(peerResult({ hasPeerReceived: false, deliveryState: 'CACHED_BY_SERVER' })).toBe('CACHED_BY_SERVER');
    expect(peerResult({ hasPeerReceived: false, deliveryState: 'PEER_UNREACHABLE' })).toBe('PEER_UNREACHABLE');
    expect(peerResult({ hasPeerReceived: false })).toBe('NOT_RECEIVED');
  });

  it('formats sizes and lists', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MB');
    expect(parseList(' a, b,,a , c ')).toEqual(['a', 'b', 'c']);
  });
});
