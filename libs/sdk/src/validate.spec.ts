import { RtmInvalidArgumentError } from './errors';
import { resolveServerUrls, setServerUrl } from './parameters';
import { DEFAULT_SERVER_URL, normalizeServerUrls, validateConfig } from './validate';

describe('server URLs', () => {
  afterEach(() => {
    setServerUrl(null);
    delete process.env['PARLEY_URL'];
  });

  it('adds /v1/ws to a URL without a path and maps http(s) to ws(s)', () => {
    expect(normalizeServerUrls('ws://h:8080')).toEqual(['ws://h:8080/v1/ws']);
    expect(normalizeServerUrls(['wss://rtm.example.com/', 'https://b.example.com/custom'])).toEqual([
      'wss://rtm.example.com/v1/ws',
      'wss://b.example.com/custom',
    ]);
    expect(normalizeServerUrls('http://h/')).toEqual(['ws://h/v1/ws']);
  });

  it.each([[''], [[]], ['ftp://x'], ['not a url'], [[1]]])('rejects %j', (bad) => {
    expect(() => normalizeServerUrls(bad)).toThrow();
  });

  it('resolves config → setServerUrl → PARLEY_URL → default', () => {
    expect(resolveServerUrls(undefined)).toEqual([DEFAULT_SERVER_URL]);
    process.env['PARLEY_URL'] = 'ws://env:1,ws://env:2';
    expect(resolveServerUrls(undefined)).toEqual(['ws://env:1/v1/ws', 'ws://env:2/v1/ws']);
    setServerUrl(['ws://static:1']);
    expect(resolveServerUrls(undefined)).toEqual(['ws://static:1/v1/ws']);
    expect(resolveServerUrls('ws://config:1')).toEqual(['ws://config:1/v1/ws']);
  });

  it('setServerUrl throws RtmInvalidArgumentError on a bad URL', () => {
    expect(() => setServerUrl('mailto:x')).toThrow(RtmInvalidArgumentError);
  });
});

describe('validateConfig', () => {
  it('accepts the agora keys and serverUrl', () => {
    const config = {
      enableLogUpload: false,
      enableCloudProxy: true,
      logFilter: { error: true, warn: false, info: false, track: false, debug: false },
      serverUrl: 'ws://x',
    };
    expect(validateConfig(config)).toBe(config);
    expect(validateConfig(undefined)).toEqual({});
  });

  it.each([[{ foo: 1 }], [{ enableLogUpload: 'yes' }], [{ logFilter: 3 }], [{ serverUrl: 'nope' }], ['string']])('rejects %j', (bad) => {
    expect(() => validateConfig(bad, 1)).toThrow(RtmInvalidArgumentError);
    try {
      validateConfig(bad, 1);
    } catch (err) {
      expect((err as RtmInvalidArgumentError).code).toBe(1);
      expect((err as Error).message).toMatch(/^Invalid RTM config/);
    }
  });
});
