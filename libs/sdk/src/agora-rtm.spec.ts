import * as fs from 'node:fs';
import * as path from 'node:path';
import AgoraRTM from './index';
import type { RtmRawMessage } from './index';
import { RtmClient } from './rtm-client';

const APP_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

describe('AgoraRTM object', () => {
  it('has the runtime keys of agora-rtm-sdk 1.6.0 plus Parley statics', () => {
    const agora = [
      'createInstance',
      'BUILD',
      'VERSION',
      'END_CALL_PREFIX',
      'processId',
      'ConnectionChangeReason',
      'ConnectionState',
      'LocalInvitationFailureReason',
      'LocalInvitationState',
      'RemoteInvitationFailureReason',
      'RemoteInvitationState',
      'MessageType',
      'PeerOnlineState',
      'PeerSubscriptionOption',
      'LOG_FILTER_OFF',
      'LOG_FILTER_ERROR',
      'LOG_FILTER_WARNING',
      'LOG_FILTER_INFO',
      'LOG_FILTER_DEBUG',
      'setParameter',
      'getParameter',
      'setArea',
    ];
    expect(Object.keys(AgoraRTM).sort()).toEqual([...agora, 'AreaCode', 'setServerUrl', 'setWebSocketImplementation'].sort());
    expect(AgoraRTM.END_CALL_PREFIX).toBe('AgoraRTMLegacyEndcallCompatibleMessagePrefix');
    expect((AgoraRTM as unknown as { default: unknown }).default).toBe(AgoraRTM);
  });

  it('VERSION is the package version of @parley/rtm-sdk', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
    expect(AgoraRTM.VERSION).toBe(pkg.version);
    expect(AgoraRTM.BUILD).toContain(pkg.version);
  });

  it('has string enums whose values equal their names', () => {
    for (const e of [AgoraRTM.ConnectionState, AgoraRTM.ConnectionChangeReason, AgoraRTM.MessageType, AgoraRTM.PeerOnlineState]) {
      for (const [k, v] of Object.entries(e)) expect(v).toBe(k);
    }
    expect(Object.keys(AgoraRTM.ConnectionChangeReason)).toHaveLength(9);
    expect(AgoraRTM.LOG_FILTER_WARNING).toEqual({ error: true, warn: true, info: false, track: false, debug: false });
    expect(AgoraRTM.LOG_FILTER_DEBUG).toEqual({ error: true, warn: true, info: true, track: true, debug: true });
  });

  it('createInstance checks the App ID and the config keys', () => {
    expect(AgoraRTM.createInstance(APP_ID)).toBeInstanceOf(RtmClient);
    for (const bad of ['short', 'a1b2c3d4e5f60718293a4b5c6d7e8f9!', 42]) {
      expect(() => AgoraRTM.createInstance(bad as string)).toThrow(expect.objectContaining({ name: 'RtmInvalidArgumentError', code: 1 }));
    }
    expect(() => AgoraRTM.createInstance(APP_ID, { nope: true } as never)).toThrow(expect.objectContaining({ name: 'RtmInvalidArgumentError' }));
    expect(() => AgoraRTM.createInstance(APP_ID, {}, ['GLOB' as never])).not.toThrow();
    expect(() => AgoraRTM.createInstance(APP_ID, {}, ['MARS' as never])).toThrow();
  });

  it('setArea validates its argument', () => {
    expect(() => AgoraRTM.setArea({ areaCodes: [AgoraRTM.AreaCode.GLOBAL], excludedArea: AgoraRTM.AreaCode.CHINA })).not.toThrow();
    expect(() => AgoraRTM.setArea({ areaCodes: [AgoraRTM.AreaCode.EUROPE], excludedArea: AgoraRTM.AreaCode.CHINA })).toThrow();
    expect(() => AgoraRTM.setArea({ areaCodes: [] })).toThrow();
  });

  it('setParameter / getParameter store values; PARLEY_TIMERS rejects unknown timers', () => {
    AgoraRTM.setParameter('foo', 1);
    expect(AgoraRTM.getParameter('foo')).toBe(1);
    expect(() => AgoraRTM.setParameter('PARLEY_TIMERS', { nope: 1 })).toThrow();
  });
});

describe('RtmClient API surface', () => {
  const client = AgoraRTM.createInstance(APP_ID, { logFilter: AgoraRTM.LOG_FILTER_OFF });

  it.each([
    ['setLocalUserAttributes', [{ a: 'b' }]],
    ['addOrUpdateLocalUserAttributes', [{ a: 'b' }]],
    ['deleteLocalUserAttributesByKeys', [['a']]],
    ['clearLocalUserAttributes', []],
    ['getUserAttributes', ['bob']],
    ['getUserAttributesByKeys', ['bob', ['a']]],
    ['getChannelAttributes', ['c']],
    ['getChannelAttributesByKeys', ['c', ['a']]],
    ['clearChannelAttributes', ['c']],
    ['deleteChannelAttributesByKeys', ['c', ['a']]],
    ['addOrUpdateChannelAttributes', ['c', { a: 'b' }]],
    ['setChannelAttributes', ['c', { a: 'b' }]],
    ['subscribePeersOnlineStatus', [['bob']]],
    ['unsubscribePeersOnlineStatus', [['bob']]],
    ['queryPeersBySubscriptionOption', ['ONLINE_STATUS']],
    ['createMediaMessageByUploading', [new Uint8Array([1])]],
    ['createFileMessageByUploading', [new Uint8Array([1])]],
    ['createImageMessageByUploading', [new Uint8Array([1])]],
    ['createFileMessageByMediaId', ['m']],
    ['createImageMessageByMediaId', ['m']],
    ['downloadMedia', ['m']],
    ['downloadMediaToMemory', ['m']],
    ['downloadMediaToFile', ['m', '/tmp/x']],
    ['getPeerHistory', ['bob']],
  ])('%s is implemented: before login it rejects with RtmInvalidStatusError 102', async (method, args) => {
    const fn = (client as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method];
    await expect(fn.apply(client, args)).rejects.toMatchObject({ name: 'RtmInvalidStatusError', code: 102 });
  });

  it.each([
    ['getUserMetadata', ['bob']],
    ['setLocalUserMetadata', [[]]],
    ['clearLocalUserMetadata', []],
    ['addLocalUserMetadata', 'item'],
    ['updateLocalUserMetadata', 'item'],
    ['deleteLocalUserMetadata', 'item'],
    ['subscribeUserMetadata', ['bob']],
    ['unsubscribeUserMetadata', ['bob']],
  ])('%s is implemented: before login it rejects with RtmInvalidStatusError 102', async (method, args) => {
    const item = client.createMetadataItem();
    item.setKey('k');
    const fn = (client as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method];
    await expect(fn.apply(client, args === 'item' ? [[item]] : (args as unknown[]))).rejects.toMatchObject({ name: 'RtmInvalidStatusError', code: 102 });
  });

  it('createChannel validates the id and returns a channel; its metadata and history methods need a login', async () => {
    expect(() => client.createChannel('null')).toThrow(expect.objectContaining({ name: 'RtmInvalidArgumentError', code: 1 }));
    const channel = client.createChannel('room 1');
    expect(channel.channelId).toBe('room 1');
    for (const p of [channel.join(), channel.leave(), channel.sendMessage({ text: 'x' }), channel.getMembers(), client.getChannelMemberCount(['c'])]) {
      await expect(p).rejects.toMatchObject({ name: 'RtmInvalidStatusError', code: 102 });
    }
    for (const p of [channel.getChannelMetadata(), channel.clearChannelMetadata(), channel.setChannelMetadata([]), channel.getHistory()]) {
      await expect(p).rejects.toMatchObject({ name: 'RtmInvalidStatusError', code: 102 });
    }
  });

  it('createLocalInvitation returns an IDLE invitation; cancel throws NOT_STARTED, send without login fails NOT_LOGGEDIN', async () => {
    const inv = client.createLocalInvitation('bob');
    expect([inv.calleeId, inv.state, inv.response, inv.content, inv.channelId]).toEqual(['bob', 'IDLE', '', '', '']);
    expect(() => inv.cancel()).toThrow(expect.objectContaining({ name: 'RtmInvalidStatusError', code: 2 }));
    const failure = new Promise((resolve) => inv.on('LocalInvitationFailure', resolve));
    inv.send();
    expect(inv.state).toBe('FAILURE');
    await expect(failure).resolves.toBe('NOT_LOGGEDIN');
    expect(() => client.createLocalInvitation('')).toThrow(expect.objectContaining({ name: 'RtmInvalidArgumentError', code: 1 }));
  });

  it('createMetadataItem has agora defaults', () => {
    const item = client.createMetadataItem();
    expect([item.getKey(), item.getValue(), item.getRevision(), item.getUpdateTs(), item.getAuthorUserId()]).toEqual(['', null, -1, 0, '']);
    item.setKey('mode');
    item.setValue('dark');
    item.setRevision(3);
    expect([item.getKey(), item.getValue(), item.getRevision()]).toEqual(['mode', 'dark', 3]);
  });

  it('createMessage returns the message with its messageType', () => {
    const text = { text: 'hi' };
    expect(client.createMessage(text)).toBe(text);
    expect(text).toEqual({ text: 'hi', messageType: 'TEXT' });
    expect(client.createMessage<RtmRawMessage>({ rawMessage: new Uint8Array([1]) }).messageType).toBe('RAW');
  });

  it('updateConfig / setParameters validate keys; setParameters takes JSON', () => {
    expect(() => client.updateConfig({ logFilter: AgoraRTM.LOG_FILTER_ERROR })).not.toThrow();
    expect(() => client.updateConfig({ bogus: 1 } as never)).toThrow(expect.objectContaining({ name: 'RtmInvalidArgumentError' }));
    expect(() => client.setParameters('{"enableLogUpload": false}')).not.toThrow();
    expect(() => client.setParameters('{oops')).toThrow(expect.objectContaining({ name: 'RtmInvalidArgumentError' }));
    expect(() => client.setParameters('{"bogus": 1}')).toThrow(expect.objectContaining({ name: 'RtmInvalidArgumentError' }));
  });

  it('is a Node-style EventEmitter', () => {
    const fn = jest.fn();
    client.once('TokenExpired', fn);
    expect(client.listenerCount('TokenExpired')).toBe(1);
    client.emit('TokenExpired');
    client.emit('TokenExpired');
    expect(fn).toHaveBeenCalledTimes(1);
  });
});
