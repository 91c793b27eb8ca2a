import { MessageKind } from '@parley/contracts';
import type { RtmImageMessage, RtmRawMessage, RtmTextMessage } from '../types';
import { loadThumbnail } from './media-message';
import { MAX_MESSAGE_BYTES, decodeMessage, encodeMessage, withMessageType } from './message-codec';

describe('message codec', () => {
  it('encodes text and raw messages (raw bytes copied)', () => {
    expect(encodeMessage({ text: 'héllo' })).toEqual({ ok: true, wire: { k: MessageKind.TEXT, text: 'héllo' }, bytes: 6 });
    const raw = new Uint8Array([1, 2, 3]);
    const encoded = encodeMessage({ rawMessage: raw, description: 'd', messageType: 'RAW' });
    expect(encoded).toEqual({ ok: true, wire: { k: MessageKind.RAW, raw: new Uint8Array([1, 2, 3]), desc: 'd' }, bytes: 4 });
    raw[0] = 9;
    expect(encoded.ok && Array.from(encoded.wire.raw!)).toEqual([1, 2, 3]);
    expect(encodeMessage({ rawMessage: raw, description: '' })).toMatchObject({ ok: true, wire: { k: MessageKind.RAW }, bytes: 3 });
    expect(encodeMessage({ rawMessage: Buffer.from([1]) })).toMatchObject({ ok: true, bytes: 1 });
  });

  it.each([
    [{ text: 'x', rawMessage: new Uint8Array() }, 'INCOMPATIBLE_MESSAGE'],
    [{ text: 'x', messageType: 'RAW' }, 'INCOMPATIBLE_MESSAGE'],
    [{ rawMessage: new Uint8Array(), messageType: 'TEXT' }, 'INCOMPATIBLE_MESSAGE'],
    [{}, 'INVALID_MESSAGE'],
    [undefined, 'INVALID_MESSAGE'],
    [{ text: null }, 'INVALID_MESSAGE'],
    [{ rawMessage: 'abc' }, 'INVALID_MESSAGE'],
    [{ rawMessage: new Uint8Array(), description: {} }, 'INVALID_MESSAGE'],
    [{ text: 'x'.repeat(MAX_MESSAGE_BYTES + 1) }, 'TOO_LARGE'],
    [{ mediaId: 'm', messageType: 'FILE' }, 'INVALID_MESSAGE'], // no size
    [{ mediaId: '', size: 1, messageType: 'FILE' }, 'INVALID_MESSAGE'],
    [{ mediaId: 'm', size: -1, messageType: 'FILE' }, 'INVALID_MESSAGE'],
    [{ mediaId: 'm', size: 1, fileName: 5, messageType: 'FILE' }, 'INVALID_MESSAGE'],
    [{ mediaId: 'm', size: 1, thumbnail: 'x', messageType: 'FILE' }, 'INVALID_MESSAGE'],
    [{ mediaId: 'm', size: 1, width: 1.5, messageType: 'IMAGE' }, 'INVALID_MESSAGE'],
    [{ mediaId: 'm', size: 1, text: 'x', messageType: 'IMAGE' }, 'INCOMPATIBLE_MESSAGE'],
  ])('rejects %j as %s', (message, problem) => {
    expect(encodeMessage(message)).toMatchObject({ ok: false, problem });
  });

  it('decodes TEXT and RAW; reports other kinds and malformed bodies', () => {
    expect(decodeMessage({ k: MessageKind.TEXT, text: 'hi' })).toEqual({ ok: true, message: { text: 'hi', messageType: 'TEXT' } });
    const decoded = decodeMessage({ k: MessageKind.RAW, raw: Buffer.from([5, 6]) });
    expect(decoded).toEqual({ ok: true, message: { rawMessage: new Uint8Array([5, 6]), description: '', messageType: 'RAW' } });
    expect(decoded.ok && Buffer.isBuffer(decoded.message.rawMessage)).toBe(false);
    expect(decodeMessage({ k: MessageKind.FILE, media: {} })).toMatchObject({ ok: false, why: expect.stringContaining('file message without valid media') });
    expect(decodeMessage({ k: 7 })).toMatchObject({ ok: false, why: expect.stringContaining('kind 7') });
    expect(decodeMessage({ k: MessageKind.TEXT })).toMatchObject({ ok: false });
    expect(decodeMessage({ k: MessageKind.RAW, raw: 'x' })).toMatchObject({ ok: false });
    expect(decodeMessage(null)).toMatchObject({ ok: false });
  });

  it('withMessageType fills in TEXT / RAW and keeps an explicit type', () => {
    expect(withMessageType({ text: 'a' })).toEqual({ text: 'a', messageType: 'TEXT' });
    expect(withMessageType<RtmRawMessage>({ rawMessage: new Uint8Array() }).messageType).toBe('RAW');
    expect(withMessageType<RtmTextMessage>({ text: 'a', messageType: 'TEXT' }).messageType).toBe('TEXT');
    expect(withMessageType<RtmTextMessage>({}).messageType).toBeUndefined();
  });

  describe('file and image messages', () => {
    const file = { messageType: 'FILE' as const, mediaId: 'm1', size: 10, fileName: 'a.txt', description: 'about a', thumbnail: new Uint8Array([1, 2]) };

    it('encodes a FILE message (thumbnail bytes copied) and counts description + name + thumbnail', () => {
      const encoded = encodeMessage(file);
      expect(encoded).toEqual({
        ok: true,
        wire: { k: MessageKind.FILE, desc: 'about a', media: { id: 'm1', size: 10, name: 'a.txt', thumb: new Uint8Array([1, 2]) } },
        bytes: 7 + 5 + 2,
      });
      file.thumbnail[0] = 9;
      expect(encoded.ok && Array.from(encoded.wire.media!.thumb!)).toEqual([1, 2]);
      file.thumbnail[0] = 1;
      // exactly 32 KB is fine
      const full = { ...file, fileName: 'f'.repeat(MAX_MESSAGE_BYTES - 9) };
      expect(encodeMessage(full)).toMatchObject({ ok: true, bytes: MAX_MESSAGE_BYTES });
      expect(encodeMessage({ ...full, description: 'about aa' })).toMatchObject({ ok: false, problem: 'TOO_LARGE' });
    });

    it('encodes an IMAGE message with its sizes (0 = not sent) and a thumbnail Blob the SDK knows', async () => {
      const decoded = decodeMessage({ k: MessageKind.IMAGE, media: { id: 'i', size: 3, name: 'p.png', thumb: new Uint8Array([7]), w: 4, h: 5, tw: 2 } });
      expect(decoded.ok).toBe(true);
      const image = decoded.ok ? (decoded.message as RtmImageMessage) : undefined;
      expect(image).toEqual({
        messageType: 'IMAGE',
        mediaId: 'i',
        size: 3,
        fileName: 'p.png',
        description: '',
        thumbnail: expect.any(Blob),
        width: 4,
        height: 5,
        thumbnailWidth: 2,
        thumbnailHeight: 0,
      });
      expect(Array.from(new Uint8Array(await image!.thumbnail!.arrayBuffer()))).toEqual([7]);
      expect(encodeMessage(image)).toEqual({
        ok: true,
        wire: { k: MessageKind.IMAGE, media: { id: 'i', size: 3, name: 'p.png', thumb: new Uint8Array([7]), w: 4, h: 5, tw: 2 } },
        bytes: 6,
      });
    });

    it('needs an app-made thumbnail Blob read first (loadThumbnail), unless it is too large anyway', async () => {
      const message = { ...file, thumbnail: new Blob([new Uint8Array([5, 6, 7])]) };
      expect(encodeMessage(message)).toMatchObject({ ok: false, problem: 'INVALID_MESSAGE' });
      await loadThumbnail(message);
      expect(encodeMessage(message)).toMatchObject({ ok: true, wire: { media: { thumb: new Uint8Array([5, 6, 7]) } } });
      const big = { ...file, thumbnail: new Blob([new Uint8Array(MAX_MESSAGE_BYTES + 1)]) };
      expect(loadThumbnail(big)).toBeUndefined();
      expect(encodeMessage(big)).toMatchObject({ ok: false, problem: 'TOO_LARGE' });
      expect(loadThumbnail({ text: 'x' })).toBeUndefined();
    });

    it('decodes FILE messages; malformed media is not ok', () => {
      expect(decodeMessage({ k: MessageKind.FILE, desc: 'd', media: { id: 'f', size: 0, name: 'n' } })).toEqual({
        ok: true,
        message: { messageType: 'FILE', mediaId: 'f', size: 0, fileName: 'n', description: 'd', thumbnail: undefined },
      });
      expect(decodeMessage({ k: MessageKind.FILE, media: { id: 'f', size: 'x' } }).ok).toBe(false);
      expect(decodeMessage({ k: MessageKind.IMAGE, media: { id: 'f', size: 1, thumb: 'x' } }).ok).toBe(false);
      expect(decodeMessage({ k: MessageKind.IMAGE }).ok).toBe(false);
    });
  });
});
