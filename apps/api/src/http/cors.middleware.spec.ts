import type { NextFunction, Request, Response } from 'express';
import { CorsMiddleware } from './cors.middleware';

const CONSOLE = 'http://127.0.0.1:8080';

interface Answer {
  headers: Record<string, string>;
  vary: string[];
  status?: number;
  ended: boolean;
  next: boolean;
}

function run(origins: string[], req: { method?: string; url?: string; headers?: Record<string, string> }): Answer {
  const answer: Answer = { headers: {}, vary: [], ended: false, next: false };
  const res = {
    vary: (field: string) => answer.vary.push(field),
    setHeader: (name: string, value: string) => (answer.headers[name.toLowerCase()] = value),
    status(code: number) {
      answer.status = code;
      return this;
    },
    end: () => (answer.ended = true),
  };
  const request = { method: req.method ?? 'GET', originalUrl: req.url ?? '/v1/admin/stats', headers: req.headers ?? {} };
  new CorsMiddleware({ API_CORS_ORIGINS: origins }).use(
    request as unknown as Request,
    res as unknown as Response,
    (() => {
      answer.next = true;
    }) as NextFunction,
  );
  return answer;
}

const preflight = (origin: string, url = '/v1/admin/stats') => ({
  method: 'OPTIONS',
  url,
  headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
});

describe('CorsMiddleware', () => {
  it('answers a preflight of an allowed origin with the methods, headers and Vary, never credentials', () => {
    const a = run([CONSOLE, 'http://localhost:8080'], preflight(CONSOLE));
    expect(a).toMatchObject({ status: 204, ended: true, next: false, vary: ['Origin'] });
    expect(a.headers).toEqual({
      'access-control-allow-origin': CONSOLE,
      'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE',
      'access-control-allow-headers': expect.stringContaining('Authorization, Content-Type'),
      'access-control-max-age': '600',
    });
    expect(a.headers).not.toHaveProperty('access-control-allow-credentials');
  });

  it('lets an allowed origin read the answer of a request, which goes on to its route', () => {
    const a = run([CONSOLE], { url: '/v1/apps/x/users/status?uids=a', headers: { origin: CONSOLE } });
    expect(a).toMatchObject({ next: true, ended: false, vary: ['Origin'] });
    expect(a.headers).toEqual({ 'access-control-allow-origin': CONSOLE, 'access-control-expose-headers': 'X-Request-Id, Retry-After, Idempotent-Replayed' });
  });

  it.each([
    ['another origin', preflight('http://evil.example')],
    ['a near miss (other port)', preflight('http://127.0.0.1:8081')],
    ['a request without Origin', { url: '/v1/admin/stats' }],
  ])('adds no CORS header for %s (Vary only) and passes it on', (_what, req) => {
    const a = run([CONSOLE], req);
    expect(a).toMatchObject({ next: true, ended: false, vary: ['Origin'], headers: {} });
  });

  it('does nothing at all with no origins configured, or outside /v1', () => {
    expect(run([], preflight(CONSOLE))).toEqual({ headers: {}, vary: [], ended: false, next: true });
    expect(run([CONSOLE], preflight(CONSOLE, '/dev/v2/project/x/rtm/users/a/peer_messages'))).toEqual({ headers: {}, vary: [], ended: false, next: true });
    expect(run([CONSOLE], preflight(CONSOLE, '/v10/x'))).toEqual({ headers: {}, vary: [], ended: false, next: true });
  });
});
