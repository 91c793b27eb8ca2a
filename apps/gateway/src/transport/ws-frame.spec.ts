import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { binaryFrame, sendBinary, sendBinaryParts } from './ws-frame';

describe('binaryFrame', () => {
  it.each([
    [0, [0x82, 0]],
    [125, [0x82, 125]],
    [126, [0x82, 126, 0, 126]],
    [65_535, [0x82, 126, 0xff, 0xff]],
    [65_536, [0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]],
  ])('frames %i payload bytes with the shortest length encoding', (n, header) => {
    const payload = new Uint8Array(n).fill(7);
    const frame = binaryFrame(payload);
    expect([...frame.subarray(0, header.length)]).toEqual(header);
    expect(frame.length).toBe(header.length + n);
    expect(frame.subarray(header.length).every((b) => b === 7)).toBe(true);
  });
});

describe('sendBinary', () => {
  let wss: WebSocketServer;
  let client: WebSocket;
  let server: WebSocket;

  beforeEach(async () => {
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
    await once(wss, 'listening');
    const accepted = once(wss, 'connection');
    client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
    [server] = (await accepted) as [WebSocket];
    await once(client, 'open');
  });

  afterEach(async () => {
    client.terminate();
    await new Promise((r) => wss.close(r));
  });

  it('arrives at a ws client as the same binary messages, in order with ws sends and before the close frame', async () => {
    const sizes = [1, 125, 126, 5_000, 65_535, 65_536, 300_000];
    const got: Buffer[] = [];
    const closed = new Promise<number>((resolve) => client.on('close', (code) => resolve(code)));
    client.on('message', (data: Buffer, isBinary: boolean) => {
      expect(isBinary).toBe(true);
      got.push(data);
    });
    const payloads = sizes.map((n, i) => new Uint8Array(n).map((_, k) => (k + i) & 0xff));
    sendBinary(server, payloads[0]!);
    server.send(Buffer.from('via ws')); // ws's own writes interleave in call order
    for (const p of payloads.slice(1)) sendBinary(server, p);
    server.close(4000, 'bye');
    expect(await closed).toBe(4000);
    expect(got.map((b) => b.length)).toEqual([sizes[0], 6, ...sizes.slice(1)]);
    expect(Buffer.compare(got[0]!, Buffer.from(payloads[0]!))).toBe(0);
    expect(got[1]!.toString()).toBe('via ws');
    for (let i = 1; i < sizes.length; i++) expect(Buffer.compare(got[i + 1]!, Buffer.from(payloads[i]!))).toBe(0);
  });

  it('sends parts as one message, their concatenation, over the socket and over ws send', async () => {
    const parts = [Uint8Array.of(1), new Uint8Array(200).fill(2), new Uint8Array(70_000).fill(3)];
    const got = new Promise<Buffer>((resolve) => client.on('message', (data: Buffer) => resolve(data)));
    sendBinaryParts(server, parts);
    expect(Buffer.compare(await got, Buffer.concat(parts))).toBe(0);

    const sent: Uint8Array[] = [];
    sendBinaryParts({ send: (b: Uint8Array) => sent.push(b) } as unknown as WebSocket, [Uint8Array.of(1, 2), Uint8Array.of(3)]);
    expect(sent.map((b) => [...b])).toEqual([[1, 2, 3]]);
  });

  it('falls back to ws send for a socket without an underlying stream', () => {
    const sent: Uint8Array[] = [];
    const fake = { send: (b: Uint8Array) => sent.push(b) } as unknown as WebSocket;
    sendBinary(fake, Uint8Array.of(1, 2));
    expect(sent).toEqual([Uint8Array.of(1, 2)]);
  });
});
