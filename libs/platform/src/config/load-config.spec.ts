import { z } from 'zod';
import { commonConfigShape, ConfigError, env, loadConfig } from './load-config';

describe('loadConfig', () => {
  const schema = z.object({ ...commonConfigShape, WINDOW_MS: env.int(30_000, 1_000), FLAG: env.bool(false) });

  it('applies defaults and coerces types', () => {
    const config = loadConfig(schema, {});
    expect(config).toMatchObject({ NATS_URL: 'nats://127.0.0.1:4222', PORT: 0, WINDOW_MS: 30_000, FLAG: false, PARLEY_SUBJECT_PREFIX: 'parley' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(loadConfig(schema, { WINDOW_MS: '5000', FLAG: 'yes', PORT: '8080' })).toMatchObject({ WINDOW_MS: 5_000, FLAG: true, PORT: 8080 });
  });

  it('lists every invalid variable in one error', () => {
    const load = () => loadConfig(schema, { NATS_URL: 'http://x', WINDOW_MS: '10', PARLEY_SUBJECT_PREFIX: 'a.b', LOG_LEVEL: 'loud' });
    expect(load).toThrow(ConfigError);
    try {
      load();
    } catch (err) {
      const message = (err as Error).message;
      for (const name of ['NATS_URL', 'WINDOW_MS', 'PARLEY_SUBJECT_PREFIX', 'LOG_LEVEL']) expect(message).toContain(name);
    }
  });
});
