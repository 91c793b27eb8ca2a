/** GET /console/config.json, served by the gateway that served the page. */
export interface ConsoleConfig {
  gatewayUrls: string[];
  apiUrl: string | null;
  demoAppId: string | null;
  version: string | null;
}

/** The page's config; without one (a dev server, an old gateway), this host's gateway and no API. */
export async function loadConfig(fetchFn: typeof fetch = fetch, location: { protocol: string; host: string } = window.location): Promise<ConsoleConfig> {
  const fallback: ConsoleConfig = {
    gatewayUrls: [`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/v1/ws`],
    apiUrl: null,
    demoAppId: null,
    version: null,
  };
  try {
    const res = await fetchFn('config.json', { cache: 'no-store' });
    if (!res.ok) return fallback;
    const body = (await res.json()) as Partial<ConsoleConfig>;
    return {
      gatewayUrls: Array.isArray(body.gatewayUrls) && body.gatewayUrls.length > 0 ? body.gatewayUrls.map(String) : fallback.gatewayUrls,
      apiUrl: typeof body.apiUrl === 'string' ? body.apiUrl : null,
      demoAppId: typeof body.demoAppId === 'string' ? body.demoAppId : null,
      version: typeof body.version === 'string' ? body.version : null,
    };
  } catch {
    return fallback;
  }
}

/** What the Settings tab keeps: the admin token and an API URL override, for this tab only (sessionStorage, never localStorage). */
export interface AdminSettings {
  token: string;
  apiUrl: string;
}

type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem'>;
const TOKEN_KEY = 'parley.console.adminToken';
const API_URL_KEY = 'parley.console.apiUrl';

export function loadAdminSettings(storage: KeyValueStorage = sessionStorage): AdminSettings {
  return { token: storage.getItem(TOKEN_KEY) ?? '', apiUrl: storage.getItem(API_URL_KEY) ?? '' };
}

export function saveAdminSettings(settings: AdminSettings, storage: KeyValueStorage = sessionStorage): void {
  storage.setItem(TOKEN_KEY, settings.token);
  storage.setItem(API_URL_KEY, settings.apiUrl);
}

/** The server API the admin views call: the Settings override, else the gateway's CONSOLE_API_URL. */
export function apiUrlOf(settings: AdminSettings, config: Pick<ConsoleConfig, 'apiUrl'>): string | null {
  return settings.apiUrl.trim() || config.apiUrl;
}
