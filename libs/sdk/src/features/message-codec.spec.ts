import { MessageKind } from '@parley/contracts';
import type { RtmRawMessage, RtmTextMessage } from '../types';
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
    [{ mediaId: 'm', messageType: 'IMAGE' }, 'UNSUPPORTED'],
    [{ mediaId: 'm', messageType: 'FILE' }, 'UNSUPPORTED'],
  ])('rejects %j as %s', (message, problem) => {
    expect(encodeMessage(message)).toMatchObject({ ok: false, problem });
  });

  it('decodes TEXT and RAW; reports other kinds and malformed bodies', () => {
    expect(decodeMessage({ k: MessageKind.TEXT, text: 'hi' })).toEqual({ ok: true, message: { text: 'hi', messageType: 'TEXT' } });
    const decoded = decodeMessage({ k: MessageKind.RAW, raw: Buffer.from([5, 6]) });
    expect(decoded).toEqual({ ok: true, message: { rawMessage: new Uint8Array([5, 6]), description: '', messageType: 'RAW' } });
    expect(decoded.ok && Buffer.isBuffer(decoded.message.rawMessage)).toBe(false);
    expect(decodeMessage({ k: MessageKind.FILE, media: {} })).toMatchObject({ ok: false, why: expect.stringContaining('kind 4') });
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
});
