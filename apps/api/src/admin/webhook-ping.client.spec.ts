import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PrivateAddressError, WebhookPingClient, type PingRequest } from './webhook-ping.client';

/** A receiver on 127.0.0.1 that answers with `handler`, and what it received. */
async function receiver(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const received: { headers: IncomingMessage['headers']; body: string; url: string | undefined }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString(), url: req.url });
      handler(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { received, port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const request = (url: string, over: Partial<PingRequest> = {}): PingRequest => ({
  url,
  body: '{"ping":true}',
  headers: { 'content-type': 'application/json', 'x-test': 'yes' },
  timeoutMs: 2_000,
  maxBodyBytes: 16,
  allowPrivate: true,
  ...over,
});

describe('WebhookPingClient', () => {
  let sut: WebhookPingClient;

  beforeEach(() => {
    sut = new WebhookPingClient();
  });

  it('POSTs the body with the headers and reports the status and the start of the answer', async () => {
    const r = await receiver((_req, res) => res.writeHead(201).end('0123456789abcdefghij-more-than-the-cap'));
    try {
      const answer = await sut.post(request(`http://127.0.0.1:${r.port}/hook?x=1`));
      expect(answer).toEqual({ status: 201, body: '0123456789abcdef', durationMs: expect.any(Number), error: null });
      expect(r.received).toEqual([{ url: '/hook?x=1', body: '{"ping":true}', headers: expect.objectContaining({ 'x-test': 'yes', 'content-length': '13' }) }]);
    } finally {
      await r.close();
    }
  });

  it('connects to the address it checked, with the URL’s host name in Host', async () => {
    const r = await receiver((_req, res) => res.end('ok'));
    sut.resolve = jest.fn().mockResolvedValue([{ address: '127.0.0.1', family: 4 }]);
    try {
      expect(await sut.post(request(`http://receiver.test:${r.port}/`))).toMatchObject({ status: 200, body: 'ok' });
      expect(r.received[0]!.headers.host).toBe(`receiver.test:${r.port}`);
    } finally {
      await r.close();
    }
  });

  it('does not follow a redirect', async () => {
    const r = await receiver((_req, res) => res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' }).end());
    try {
      expect(await sut.post(request(`http://127.0.0.1:${r.port}/`))).toMatchObject({ status: 302, error: null });
      expect(r.received).toHaveLength(1);
    } finally {
      await r.close();
    }
  });

  it('gives up after the timeout', async () => {
    const r = await receiver(() => undefined); // never answers
    try {
      expect(await sut.post(request(`http://127.0.0.1:${r.port}/`, { timeoutMs: 100 }))).toMatchObject({ status: null, error: 'no answer within 100 ms' });
    } finally {
      await r.close();
    }
  });

  it('reports a refused connection as an error, not an answer', async () => {
    const r = await receiver(() => undefined);
    await r.close();
    expect(await sut.post(request(`http://127.0.0.1:${r.port}/`))).toMatchObject({ status: null, error: expect.stringContaining('ECONNREFUSED') });
  });

  it('refuses a host that resolves to a private address when they are not allowed (any of its addresses), before connecting', async () => {
    sut.resolve = jest.fn().mockResolvedValue([
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.7', family: 4 },
    ]);
    await expect(sut.post(request('https://sneaky.example.com/', { allowPrivate: false }))).rejects.toThrow(PrivateAddressError);
    await expect(sut.post(request('http://127.0.0.1:9/', { allowPrivate: false }))).rejects.toThrow('127.0.0.1 resolves to 127.0.0.1');
  });

  it('reports a host that does not resolve', async () => {
    sut.resolve = jest.fn().mockRejectedValue(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }));
    expect(await sut.post(request('https://nowhere.invalid/'))).toMatchObject({ status: null, error: 'cannot resolve nowhere.invalid: ENOTFOUND' });
  });
});
