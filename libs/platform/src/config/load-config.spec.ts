import { z } from 'zod';
import { commonConfigShape, ConfigError, databaseConfigShape, env, loadConfig } from './load-config';

/** The problem lines of the ConfigError that loading `source` throws. */
function problems(schema: z.ZodType, source: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(schema, source);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const [head, ...lines] = (err as Error).message.split('\n');
    expect(head).toBe('invalid configuration:');
    return lines.map((line) => line.replace(/^ {2}- /, ''));
  }
  throw new Error('loadConfig accepted the environment');
}

describe('loadConfig', () => {
  const schema = z.object({ ...commonConfigShape, WINDOW_MS: env.int(30_000, 1_000), FLAG: env.bool(false) });

  it('applies defaults and coerces types', () => {
    const config = loadConfig(schema, {});
    expect(config).toMatchObject({
      NATS_URL: 'nats://127.0.0.1:4222',
      PORT: 0,
      WINDOW_MS: 30_000,
      FLAG: false,
      PARLEY_SUBJECT_PREFIX: 'parley',
      LOG_LEVEL: 'info',
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(loadConfig(schema, { WINDOW_MS: '5000', FLAG: 'yes', PORT: '8080', LOG_LEVEL: 'debug' })).toMatchObject({
      WINDOW_MS: 5_000,
      FLAG: true,
      PORT: 8080,
      LOG_LEVEL: 'debug',
    });
    expect(loadConfig(schema, { WINDOW_MS: ' 2000 ' }).WINDOW_MS).toBe(2_000);
  });

  it('lists every invalid variable in one error', () => {
    const lines = problems(schema, { NATS_URL: 'http://x', WINDOW_MS: '10', PARLEY_SUBJECT_PREFIX: 'a.b', LOG_LEVEL: 'loud' });
    expect(lines).toHaveLength(4);
    for (const name of ['NATS_URL', 'WINDOW_MS', 'PARLEY_SUBJECT_PREFIX', 'LOG_LEVEL']) expect(lines.some((l) => l.startsWith(`${name}=`))).toBe(true);
  });

  describe('messages show the rejected value and what is allowed', () => {
    const ints = z.object({ HEARTBEAT_MS: env.int(2_000, 200), POOL: env.int(5, 1, 200), PORT: env.int(0, 0, 65535) });

    it.each([
      ['abc', 'HEARTBEAT_MS="abc" is not a number'],
      ['', 'HEARTBEAT_MS="" is not a number'],
      ['2.5', 'HEARTBEAT_MS="2.5" is not a whole number'],
      ['50', 'HEARTBEAT_MS="50" is too small: must be at least 200'],
    ])('int %j', (value, message) => {
      expect(problems(ints, { HEARTBEAT_MS: value })).toEqual([message]);
    });

    it('int out of a range shows both bounds', () => {
      expect(problems(ints, { POOL: '500', PORT: '-1' })).toEqual([
        'POOL="500" is out of range: must be from 1 to 200',
        'PORT="-1" is out of range: must be from 0 to 65535',
      ]);
    });

    it('bool lists the accepted words', () => {
      expect(problems(schema, { FLAG: 'maybe' })).toEqual(['FLAG="maybe" must be one of true, false, 1, 0, yes, no']);
    });

    it('url shows the value and the accepted schemes', () => {
      expect(problems(schema, { NATS_URL: 'nats://a:4222,http://b:4222' })).toEqual([
        'NATS_URL="nats://a:4222,http://b:4222" must be a URL starting with nats:// or tls://',
      ]);
    });

    it('oneOf (LOG_LEVEL) lists the accepted words', () => {
      expect(problems(schema, { LOG_LEVEL: 'loud' })).toEqual(['LOG_LEVEL="loud" must be one of fatal, error, warn, info, debug, trace, silent']);
    });

    it("a schema's own message follows the value", () => {
      expect(problems(schema, { PARLEY_SUBJECT_PREFIX: 'a.b' })).toEqual(['PARLEY_SUBJECT_PREFIX="a.b" may contain only letters, digits, "-" and "_"']);
    });

    it('plain zod schemas without a message get readable ones too', () => {
      const plain = z.object({
        ID: z
          .string()
          .regex(/^[a-z]+$/)
          .default('a'),
        KEY_NAME: z.string().min(1).default('k'),
        MODE: z.enum(['a', 'b']).default('a'),
        NEEDED: z.string(),
      });
      expect(problems(plain, { ID: 'A1', KEY_NAME: '', MODE: 'c' })).toEqual([
        'ID="A1" must match /^[a-z]+$/',
        'KEY_NAME="" must not be empty',
        'MODE="c" must be one of a, b',
        'NEEDED is required',
      ]);
    });

    it('never echoes a secret or a password in a URL', () => {
      const secrets = z.object({ ...databaseConfigShape, S3_SECRET_KEY: z.string().min(8).default('12345678') });
      const lines = problems(secrets, { DATABASE_URL: 'mysql://parley:hunter2@db/parley', S3_SECRET_KEY: 'hunter2' });
      expect(lines).toEqual([
        'DATABASE_URL="mysql://parley:***@db/parley" must be a URL starting with postgres:// or postgresql://',
        'S3_SECRET_KEY=(hidden, 7 characters) must be at least 8 characters',
      ]);
    });

    it('cuts a long value short', () => {
      const [line] = problems(schema, { LOG_LEVEL: 'x'.repeat(500) });
      expect(line).toBe(`LOG_LEVEL="${'x'.repeat(80)}…" must be one of fatal, error, warn, info, debug, trace, silent`);
    });
  });
});
