import { AdminApiError, AdminClient } from './admin-client';

function fakeFetch(answer: { status: number; body: unknown } | Error) {
  const calls: { url: string; init: RequestInit | undefined }[] = [];
  const fn = async (url: string, init?: RequestInit): Promise<Response> => {
    calls.push({ url, init });
    if (answer instanceof Error) throw answer;
    return new Response(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body), { status: answer.status });
  };
  return { fn, calls };
}

describe('AdminClient', () => {
  it('sends the bearer token and JSON, and encodes path segments', async () => {
    const f = fakeFetch({ status: 201, body: { token: 't', uid: 'a b', format: '007', expiresAt: 'x' } });
    const api = new AdminClient('http://api.example/', 'secret', f.fn);
    expect(await api.mintToken('0123456789abcdef0123456789abcdef', 'a b')).toEqual({ token: 't', uid: 'a b', format: '007', expiresAt: 'x' });
    expect(f.calls[0]!.url).toBe('http://api.example/v1/admin/apps/0123456789abcdef0123456789abcdef/tokens');
    expect(f.calls[0]!.init).toMatchObject({
      method: 'POST',
      headers: { Authorization: 'Bearer secret', 'Content-Type': 'application/json' },
      body: '{"uid":"a b"}',
    });
    const g = fakeFetch({ status: 200, body: { uid: 'x/y' } });
    await new AdminClient('http://api.example', 'secret', g.fn).user('app', 'x/y');
    expect(g.calls[0]!.url).toBe('http://api.example/v1/admin/apps/app/users/x%2Fy');
    expect(g.calls[0]!.init?.body).toBeUndefined();
  });

  it('turns an error answer into AdminApiError with the API’s code', async () => {
    const f = fakeFetch({ status: 400, body: { error: { code: 'app_not_certified', message: 'static app' }, request_id: 'r' } });
    const err = await new AdminClient('http://api', 't', f.fn).mintToken('a', 'u').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdminApiError);
    expect(err).toMatchObject({ status: 400, code: 'app_not_certified', message: '400 app_not_certified: static app' });
  });

  it('says clearly when the API does not answer (down, wrong URL, CORS)', async () => {
    const f = fakeFetch(new TypeError('Failed to fetch'));
    const err = await new AdminClient('http://127.0.0.1:8090', 't', f.fn).stats().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'unreachable', status: 0 });
    expect((err as Error).message).toBe(
      'The server API at http://127.0.0.1:8090 did not answer; set CONSOLE_API_URL (gateway) or the API URL in Settings, and check API_CORS_ORIGINS (api).',
    );
  });

  it('pages apps and failures, rotates with an overlap and replays some or all', async () => {
    const f = fakeFetch({ status: 200, body: { replayed: 2 } });
    const api = new AdminClient('http://api', 't', f.fn);
    await api.listApps();
    await api.listApps('abc');
    await api.failures('app', 'w1', '42');
    await api.rotateCertificate('app', 0);
    await api.rotateCertificate('app');
    expect(await api.replay('app', 'w1', [3, 4])).toEqual({ replayed: 2 });
    await api.replay('app', 'w1');
    expect(f.calls.map((c) => `${c.init?.method} ${c.url} ${String(c.init?.body ?? '')}`)).toEqual([
      'GET http://api/v1/admin/apps?limit=100 ',
      'GET http://api/v1/admin/apps?limit=100&after=abc ',
      'GET http://api/v1/admin/apps/app/webhooks/w1/failures?limit=100&after=42 ',
      'POST http://api/v1/admin/apps/app/certificate/rotate {"overlapSeconds":0}',
      'POST http://api/v1/admin/apps/app/certificate/rotate {}',
      'POST http://api/v1/admin/apps/app/webhooks/w1/failures/replay {"ids":[3,4]}',
      'POST http://api/v1/admin/apps/app/webhooks/w1/failures/replay {}',
    ]);
  });

  it('keeps the request id of an error answer', async () => {
    const f = fakeFetch({ status: 401, body: { error: { code: 'unauthorized', message: 'bad admin token' }, request_id: 'req-1' } });
    const err = await new AdminClient('http://api', 'wrong', f.fn).listApps().catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 401, code: 'unauthorized', requestId: 'req-1', message: '401 unauthorized: bad admin token' });
  });

  it('shows a non-JSON error answer’s text', async () => {
    const f = fakeFetch({ status: 502, body: '<html>Bad gateway</html>' });
    const err = await new AdminClient('http://api', 't', f.fn).listApps().catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 502, code: 'error', message: '502 error: <html>Bad gateway</html>' });
  });

  it('asks stats for one app or for all', async () => {
    const f = fakeFetch({ status: 200, body: {} });
    const api = new AdminClient('http://api', 't', f.fn);
    await api.stats();
    await api.stats('abc');
    expect(f.calls.map((c) => c.url)).toEqual(['http://api/v1/admin/stats', 'http://api/v1/admin/stats?appId=abc']);
  });
});
