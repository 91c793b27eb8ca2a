import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebhookSender, type SenderOptions } from './webhook-sender';

const options: SenderOptions = { timeoutMs: 500, allowHttp: true, allowPrivate: true, maxResponseBytes: 16 };

describe('webhook sender', () => {
  let server: Server;
  let port: number;
  let answer: (res: import('node:http').ServerResponse) => void;
  const received: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(body);
        answer(res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });

  it('delivers on 2xx, reading at most the cap of the answer', async () => {
    answer = (res) => res.end('x'.repeat(100_000));
    const sut = new WebhookSender(options);
    await expect(sut.send(`http://localhost:${port}/hook`, '{"a":1}', { 'Agora-Signature-V2': 'x' })).resolves.toEqual({ outcome: 'delivered', status: 200 });
    expect(received.at(-1)).toBe('{"a":1}');
  });

  it('fails on non-2xx and does not follow redirects', async () => {
    answer = (res) => res.writeHead(302, { location: 'http://example.com/' }).end();
    await expect(new WebhookSender(options).send(`http://127.0.0.1:${port}/`, '{}', {})).resolves.toMatchObject({ outcome: 'http_error', status: 302 });
  });

  it('times out a hanging receiver', async () => {
    answer = () => undefined;
    await expect(new WebhookSender(options).send(`http://127.0.0.1:${port}/`, '{}', {})).resolves.toMatchObject({ outcome: 'timeout' });
  });

  it('refuses http unless allowed, and private addresses unless allowed (checked on the resolved address)', async () => {
    const strict = new WebhookSender({ ...options, allowHttp: false, allowPrivate: false }, () => Promise.resolve([{ address: '10.0.0.5', family: 4 }]));
    await expect(strict.send(`http://127.0.0.1:${port}/`, '{}', {})).resolves.toMatchObject({ outcome: 'refused', error: 'scheme http: not allowed' });
    await expect(strict.send('https://innocent.example/', '{}', {})).resolves.toMatchObject({ outcome: 'refused', error: expect.stringMatching(/private/) });
    const noPrivate = new WebhookSender({ ...options, allowPrivate: false });
    await expect(noPrivate.send(`http://localhost:${port}/`, '{}', {})).resolves.toMatchObject({ outcome: 'refused' });
    await expect(noPrivate.send(`http://[::ffff:127.0.0.1]:${port}/`, '{}', {})).resolves.toMatchObject({ outcome: 'refused' });
  });

  it('keeps connections alive per vetted address', async () => {
    answer = (res) => res.end('ok');
    const sockets = new Set<unknown>();
    const onRequest = (req: { socket: unknown }) => sockets.add(req.socket);
    server.on('request', onRequest);
    const sut = new WebhookSender(options);
    try {
      for (let i = 0; i < 3; i++) await expect(sut.send(`http://127.0.0.1:${port}/`, '{}', {})).resolves.toMatchObject({ outcome: 'delivered' });
      expect(sockets.size).toBe(1);
      // Another vetted address (the name now resolves elsewhere): a connection of its own.
      const moved = new WebhookSender(options, () => Promise.resolve([{ address: '127.0.0.2', family: 4 }]));
      await expect(moved.send(`http://127.0.0.1:${port}/`, '{}', {})).resolves.toMatchObject({ outcome: 'delivered' });
      moved.close();
      await expect(sut.send(`http://127.0.0.1:${port}/`, '{}', {})).resolves.toMatchObject({ outcome: 'delivered' });
      expect(sockets.size).toBe(2);
    } finally {
      server.off('request', onRequest);
      sut.close();
    }
  });

  it('connects to the vetted address whatever the name', async () => {
    answer = (res) => res.end();
    const sut = new WebhookSender(options, () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]));
    await expect(sut.send(`http://receiver.invalid:${port}/`, '{}', {})).resolves.toMatchObject({ outcome: 'delivered' });
  });
});
