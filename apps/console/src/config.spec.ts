import { apiUrlOf, loadAdminSettings, loadConfig, saveAdminSettings } from './config';

const here = { protocol: 'https:', host: 'rtm.example.com' };
const answer = (status: number, body: unknown) => (async () => new Response(JSON.stringify(body), { status })) as unknown as typeof fetch;

describe('loadConfig', () => {
  it('reads the gateway’s config.json', async () => {
    const cfg = await loadConfig(answer(200, { gatewayUrls: ['ws://a/v1/ws'], apiUrl: 'http://api', demoAppId: 'd', version: '1.2.3' }), here);
    expect(cfg).toEqual({ gatewayUrls: ['ws://a/v1/ws'], apiUrl: 'http://api', demoAppId: 'd', version: '1.2.3' });
  });

  it('falls back to this host’s gateway without an API when there is none', async () => {
    const fallback = { gatewayUrls: ['wss://rtm.example.com/v1/ws'], apiUrl: null, demoAppId: null, version: null };
    expect(await loadConfig(answer(404, {}), here)).toEqual(fallback);
    expect(await loadConfig((async () => Promise.reject(new Error('offline'))) as unknown as typeof fetch, here)).toEqual(fallback);
    expect(await loadConfig(answer(200, { gatewayUrls: [], apiUrl: 5 }), here)).toEqual(fallback);
  });
});

describe('admin settings', () => {
  const memory = () => {
    const items = new Map<string, string>();
    return { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v), items };
  };

  it('keeps the token and the API URL override in the given (session) storage', () => {
    const storage = memory();
    expect(loadAdminSettings(storage)).toEqual({ token: '', apiUrl: '' });
    saveAdminSettings({ token: 't0k', apiUrl: 'http://api:8090' }, storage);
    expect(loadAdminSettings(storage)).toEqual({ token: 't0k', apiUrl: 'http://api:8090' });
  });

  it('calls the override, else the gateway’s CONSOLE_API_URL, else nothing', () => {
    expect(apiUrlOf({ token: '', apiUrl: ' http://other ' }, { apiUrl: 'http://api' })).toBe('http://other');
    expect(apiUrlOf({ token: '', apiUrl: '' }, { apiUrl: 'http://api' })).toBe('http://api');
    expect(apiUrlOf({ token: '', apiUrl: '' }, { apiUrl: null })).toBeNull();
  });
});
