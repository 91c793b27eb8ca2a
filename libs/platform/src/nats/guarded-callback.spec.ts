import { guardedCallback, settleLogged } from './guarded-callback';

const log = () => ({ warn: jest.fn(), error: jest.fn() });

describe('settleLogged', () => {
  it('passes the value on, and logs what the callback throws instead of throwing it', () => {
    const logger = log();
    const seen: number[] = [];
    settleLogged(logger, 'a handler', (v: number) => seen.push(v), 1);
    expect(seen).toEqual([1]);
    expect(() =>
      settleLogged(
        logger,
        'a handler',
        () => {
          throw new Error('bug');
        },
        2,
      ),
    ).not.toThrow();
    expect(logger.error).toHaveBeenCalledWith(expect.stringMatching(/^a handler failed: Error: bug/));
  });
});

describe('guardedCallback', () => {
  it('logs a subscription error and a throwing handler, and throws neither into nats.js', () => {
    const logger = log();
    const cb = guardedCallback(logger, () => {
      throw new Error('bad message');
    });
    expect(() => cb(null, { subject: 's.x' } as never)).not.toThrow();
    expect(logger.error).toHaveBeenCalledWith(expect.stringContaining('handling a message on s.x failed'));
    cb({ message: 'permissions' } as never, undefined as never);
    expect(logger.warn).toHaveBeenCalledWith('subscription error: permissions');
  });
});
