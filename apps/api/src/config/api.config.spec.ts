import { apiConfig } from './api.config';

describe('api config: the operator console’s settings', () => {
  it('defaults to no CORS origins, token minting on and a 300 ms stats window', () => {
    expect(apiConfig({})).toMatchObject({ API_CORS_ORIGINS: [], ADMIN_TOKEN_MINTING: true, ADMIN_STATS_WINDOW_MS: 300 });
  });

  it('reads API_CORS_ORIGINS as a comma-separated list of exact origins', () => {
    expect(apiConfig({ API_CORS_ORIGINS: 'http://127.0.0.1:8080, http://localhost:8080,https://console.example.com' }).API_CORS_ORIGINS).toEqual([
      'http://127.0.0.1:8080',
      'http://localhost:8080',
      'https://console.example.com',
    ]);
    expect(apiConfig({ API_CORS_ORIGINS: ' ' }).API_CORS_ORIGINS).toEqual([]);
  });

  it.each(['*', 'http://127.0.0.1:8080/', 'http://127.0.0.1:8080/console', '127.0.0.1:8080', 'ftp://example.com', 'http://Example.com'])(
    'refuses %s as an origin',
    (value) => {
      expect(() => apiConfig({ API_CORS_ORIGINS: value })).toThrow(/API_CORS_ORIGINS=.* must be a comma-separated list of origins/);
    },
  );

  it('bounds the stats window and reads the minting switch', () => {
    expect(() => apiConfig({ ADMIN_STATS_WINDOW_MS: '5' })).toThrow(/ADMIN_STATS_WINDOW_MS/);
    expect(apiConfig({ ADMIN_TOKEN_MINTING: 'false' }).ADMIN_TOKEN_MINTING).toBe(false);
  });
});
