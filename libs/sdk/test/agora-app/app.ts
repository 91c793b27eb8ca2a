/**
 * An app written for agora-rtm-sdk 1.6.0 (plus the 1.4.5 media API), unchanged except the module
 * name: test/compile.spec.ts type-checks it against the SDK source and against the built .d.ts.
 * Never executed. Lines marked @ts-expect-error must stay errors (the typings are not `any`).
 */
import AgoraRTM from '@parley/rtm-sdk';
import { RtmClient as RtmClientValue } from '@parley/rtm-sdk';
import { END_CALL_PREFIX } from '@parley/rtm-sdk'; // Parley: also a named export
import type {
  LocalInvitation,
  RemoteInvitation,
  RtmChannel,
  RtmClient,
  RtmEvents,
  RtmMessage,
  RtmRawMessage,
  RtmStatusCode,
  RtmTextMessage,
} from '@parley/rtm-sdk';

const APP_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const log = (...args: unknown[]): void => void args;

type ClientListener = RtmEvents.RtmClientEvents['MessageFromPeer'];

export async function main(uid: string, token: string, peerId: string): Promise<void> {
  // The one Parley-specific line (and an optional WebSocket implementation).
  AgoraRTM.setServerUrl(['wss://rtm-a.example.com', 'wss://rtm-b.example.com']);
  AgoraRTM.setWebSocketImplementation(WebSocket);
  const client: RtmClient = AgoraRTM.createInstance(APP_ID, { enableLogUpload: false, logFilter: AgoraRTM.LOG_FILTER_INFO });
  const legacy = AgoraRTM.createInstance(APP_ID, {}, [AgoraRTM.AreaCode.GLOBAL]);
  AgoraRTM.setArea({ areaCodes: [AgoraRTM.AreaCode.GLOBAL], excludedArea: AgoraRTM.AreaCode.CHINA });
  log(AgoraRTM.VERSION, AgoraRTM.BUILD, AgoraRTM.END_CALL_PREFIX, legacy);

  client.on('ConnectionStateChanged', (newState, reason) => {
    const s: RtmStatusCode.ConnectionState = newState;
    const r: RtmStatusCode.ConnectionChangeReason = reason;
    if (newState === AgoraRTM.ConnectionState.CONNECTED) log('connected', s);
    if (reason === AgoraRTM.ConnectionChangeReason.REMOTE_LOGIN) log('kicked', r);
  });
  client.on('MessageFromPeer', (message, fromPeer, messageProps) => {
    if (message.messageType === 'TEXT') {
      const text: string = message.text;
      log(text, fromPeer, messageProps.serverReceivedTs);
    } else if (message.messageType === 'RAW') {
      const bytes: Uint8Array = message.rawMessage;
      log(bytes.byteLength, message.description);
    } else if (message.messageType === 'IMAGE') {
      log(message.mediaId, message.width, message.height, messageProps.isOfflineMessage);
    }
  });
  client.on('MessageFromPeer', ({ text }, fromPeer) => log(text, fromPeer));
  const typed: ClientListener = (message: RtmMessage) => log(message);
  client.on('MessageFromPeer', typed);
  client.on('TokenExpired', () => log('token expired'));
  client.on('TokenPrivilegeWillExpire', () => void fetchToken().then((fresh) => client.renewToken(fresh)));
  client.on('PeersOnlineStatusChanged', (status) => {
    for (const [peer, state] of Object.entries(status)) if (state === AgoraRTM.PeerOnlineState.UNREACHABLE) log(peer);
  });
  client.on('RemoteInvitationReceived', (remoteInvitation: RemoteInvitation) => {
    log(remoteInvitation.callerId, remoteInvitation.channelId, remoteInvitation.content, remoteInvitation.state);
    remoteInvitation.on('RemoteInvitationCanceled', (content) => log(content));
    remoteInvitation.on('RemoteInvitationFailure', (reason) => log(reason === AgoraRTM.RemoteInvitationFailureReason.ACCEPT_FAILURE));
    remoteInvitation.response = 'ok';
    remoteInvitation.accept();
  });
  client.on('UserMetaDataUpdated', (who, data) =>
    log(
      who,
      data.majorRevision,
      data.items.map((i) => i.getValue()),
    ),
  );
  client.once('BannedByServer', () => log('banned'));

  await client.login({ uid, token });
  await client.login({ uid });

  const result = await client.sendMessageToPeer({ text: 'hello' }, peerId);
  if (result.hasPeerReceived) log('delivered');
  const offline = await client.sendMessageToPeer({ text: 'offline please' }, peerId, { enableOfflineMessaging: true, enableHistoricalMessaging: false });
  if (offline.deliveryState === 'CACHED_BY_SERVER') log('stored for later'); // Parley addition
  const raw = client.createMessage<RtmRawMessage>({ rawMessage: new Uint8Array([1, 2]), description: 'bin', messageType: 'RAW' });
  await client.sendMessageToPeer(raw, peerId);
  const textMessage: RtmTextMessage = { text: `${AgoraRTM.END_CALL_PREFIX}_room_` };
  log(textMessage.text.startsWith(END_CALL_PREFIX));
  await client.sendMessageToPeer(textMessage, peerId);

  const channel: RtmChannel = client.createChannel('lobby');
  channel.on('ChannelMessage', ({ text }, memberId, props) => log(text, memberId, props.serverReceivedTs));
  channel.on('ChannelMessage', (message: RtmMessage, memberId: string, messagePros) => {
    if (message.messageType === 'RAW') log(message.rawMessage.byteLength, message.description, memberId);
    if (messagePros.isRecovered && !messagePros.recoveryComplete) log('some messages were missed'); // Parley additions
  });
  channel.on('MemberJoined', (memberId) => log(memberId));
  channel.on('MemberLeft', (memberId) => log(memberId));
  channel.on('MemberCountUpdated', (count) => log(count + 1));
  channel.on('AttributesUpdated', (attributes) => log(attributes['topic'].value, attributes['topic'].lastUpdateUserId));
  try {
    await channel.join();
  } catch (err) {
    const code = (err as { code?: number }).code;
    if (code === 8) log('joined this channel too often, retry later');
    else throw err;
  }
  await channel.sendMessage({ text: 'hi all' });
  await channel.sendMessage(client.createMessage({ rawMessage: new Uint8Array([1]), description: 'ping', messageType: 'RAW' }));
  await channel.sendMessage({ text: 'with 1.4.x options' }, { enableOfflineMessaging: false, enableHistoricalMessaging: false });
  const members: string[] = await channel.getMembers();
  log(members.includes(uid), members.length);
  const rooms = new Map<string, RtmChannel>();
  for (const id of ['room-1', 'room-2']) {
    const room = client.createChannel(id);
    room.once('MemberCountUpdated', (n) => log(id, n));
    rooms.set(id, room);
  }
  await Promise.all([...rooms.values()].map((room) => room.join()));
  await Promise.all([...rooms.values()].map((room) => room.leave()));
  room1Events(rooms.get('room-1'));
  await channel.leave();
  channel.removeAllListeners();
  log(channel.channelId, members);

  const online = await client.queryPeersOnlineStatus([peerId]);
  if (online[peerId]) log('online');
  await client.subscribePeersOnlineStatus([peerId]);
  const subscribed: string[] = await client.queryPeersBySubscriptionOption(AgoraRTM.PeerSubscriptionOption.ONLINE_STATUS);
  await client.unsubscribePeersOnlineStatus(subscribed);

  await client.setLocalUserAttributes({ mood: 'happy' });
  await client.addOrUpdateLocalUserAttributes({ mood: 'sleepy' });
  await client.deleteLocalUserAttributesByKeys(['mood']);
  await client.clearLocalUserAttributes();
  const attrs = await client.getUserAttributes(peerId);
  const some = await client.getUserAttributesByKeys(peerId, ['mood']);
  log(attrs['mood'], some);
  await client.setChannelAttributes('lobby', { topic: 'x' }, { enableNotificationToChannelMembers: true });
  await client.addOrUpdateChannelAttributes('lobby', { topic: 'y' });
  await client.deleteChannelAttributesByKeys('lobby', ['topic']);
  await client.clearChannelAttributes('lobby');
  const channelAttrs = await client.getChannelAttributes('lobby');
  log(channelAttrs['topic']?.lastUpdateTs, await client.getChannelAttributesByKeys('lobby', ['topic']));
  const counts = await client.getChannelMemberCount(['lobby', 'room-1']);
  log(
    counts['lobby'],
    Object.entries(counts).map(([id, n]) => `${id}: ${n}`),
  );

  const invitation: LocalInvitation = client.createLocalInvitation(peerId);
  invitation.content = 'call me';
  invitation.channelId = 'room';
  invitation.on('LocalInvitationAccepted', (response) => log(response));
  invitation.on('LocalInvitationRefused', (response) => log(response));
  invitation.on('LocalInvitationReceivedByPeer', () => log(invitation.state === AgoraRTM.LocalInvitationState.RECEIVED_BY_REMOTE));
  invitation.on('LocalInvitationFailure', (reason) => log(reason === AgoraRTM.LocalInvitationFailureReason.PEER_OFFLINE));
  invitation.send();
  invitation.cancel();

  const item = client.createMetadataItem();
  item.setKey('mode');
  item.setValue('dark');
  await client.setLocalUserMetadata([item], { majorRevision: -1, enableRecordTs: true });
  const metadata = await client.getUserMetadata(peerId);
  log(metadata.items[0]?.getKey(), metadata.items[0]?.getRevision());
  await client.subscribeUserMetadata(peerId);
  await channel.setChannelMetadata([item]);
  log((await channel.getChannelMetadata()).majorRevision);

  // agora-rtm-sdk 1.4.5 media API
  const blob = new Blob([new Uint8Array([1, 2, 3])]);
  const image = await client.createMediaMessageByUploading(
    blob,
    { messageType: 'IMAGE', fileName: 'a.png', width: 10, height: 10 },
    {
      onOperationProgress: ({ currentSize, totalSize }) => log(currentSize / totalSize),
    },
  );
  log(image.mediaId, image.width);
  const file = await client.createMediaMessageByUploading(blob, { messageType: 'FILE', fileName: 'a.txt' });
  await client.sendMessageToPeer(file, peerId);
  const controller = new AbortController();
  const downloaded: Blob = await client.downloadMedia(file.mediaId, { cancelSignal: controller.signal });
  log(downloaded.size);
  // @ts-expect-error a file message has no width
  log(file.width);

  // Parley: the native 1.3 names, bytes / path / stream payloads, cancel by request id
  const fileMessage = await client.createFileMessageByUploading(new Uint8Array([1]), {
    requestId: 'up-1',
    fileName: 'a.bin',
    onOperationProgress: (p) => log(p.currentSize),
  });
  const imageMessage = await client.createImageMessageByUploading('/tmp/cat.png', { width: 4, height: 3, thumbnail: new Uint8Array([1]) });
  async function* pieces(): AsyncGenerator<Uint8Array> {
    yield new Uint8Array([1, 2]);
  }
  await client.createFileMessageByUploading(pieces(), { size: 2 });
  const canceled: boolean = client.cancelMediaUpload('up-1') || client.cancelMediaDownload('down-1');
  const byId = await client.createImageMessageByMediaId(imageMessage.mediaId);
  const bytes: Uint8Array = await client.downloadMediaToMemory(byId.mediaId, { requestId: 'down-1' });
  await client.downloadMediaToFile((await client.createFileMessageByMediaId(fileMessage.mediaId)).mediaId, '/tmp/out.bin');
  log(canceled, bytes.byteLength, imageMessage.width + byId.thumbnailHeight);

  client.updateConfig({ logFilter: AgoraRTM.LOG_FILTER_WARNING });
  client.setParameters({ enableCloudProxy: false });
  await client.renewToken(await fetchToken());
  client.off('TokenExpired', log);
  client.removeAllListeners();
  await client.logout();

  // @ts-expect-error unknown event name
  client.on('NoSuchEvent', () => log());
  // @ts-expect-error wrong listener parameter type
  client.on('ConnectionStateChanged', (state: number) => log(state));
  // @ts-expect-error unknown config key
  AgoraRTM.createInstance(APP_ID, { unknownKey: true });
  // @ts-expect-error a text message cannot carry rawMessage
  const bad: RtmTextMessage = { text: 'x', rawMessage: new Uint8Array() };
  log(bad);
  // @ts-expect-error the classes are exported as types only (as in agora-rtm-sdk)
  log(new RtmClientValue());
  // @ts-expect-error not a delivery state
  log(offline.deliveryState === 'DELIVERED');
  // @ts-expect-error unknown channel event
  channel.on('MessageFromPeer', () => log());
  // @ts-expect-error a channel message is an object, not a string
  await channel.sendMessage('hi');
  // @ts-expect-error getChannelMemberCount takes an array of ids
  await client.getChannelMemberCount('lobby');
}

function room1Events(room: RtmChannel | undefined): void {
  room?.on('MemberLeft', (memberId: string) => log(`${memberId} left ${room.channelId}`));
}

async function fetchToken(): Promise<string> {
  return 'token';
}
