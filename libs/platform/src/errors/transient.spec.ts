import { ErrorCode, ParleyError } from '@parley/contracts';
import { isTransientError, toParleyError } from './transient';

describe('transient infrastructure errors', () => {
  it.each([
    ['prisma pool timeout', Object.assign(new Error('Timed out fetching a new connection'), { code: 'P2024' })],
    ['driver adapter kind', Object.assign(new Error('adapter'), { cause: { kind: 'TooManyConnections' } })],
    ['postgres sqlstate in a cause', Object.assign(new Error('x'), { cause: Object.assign(new Error('y'), { code: '57P01' }) })],
    ['pg pool connect timeout', new Error('timeout exceeded when trying to connect')],
    ['too many clients', new Error('sorry, too many clients already')],
    ['socket refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['nats closed', Object.assign(new Error('CONNECTION_CLOSED'), { code: 'CONNECTION_CLOSED' })],
  ])('%s → UNAVAILABLE', (_name, err) => {
    expect(isTransientError(err)).toBe(true);
    expect(toParleyError(err).code).toBe(ErrorCode.UNAVAILABLE);
    expect(toParleyError(err).retryAfterMs).toBeGreaterThan(0);
  });

  it('keeps typed errors and calls the rest UNKNOWN', () => {
    const typed = new ParleyError(ErrorCode.TOO_OFTEN, 'slow down', 50);
    expect(toParleyError(typed)).toBe(typed);
    expect(toParleyError(new TypeError("Cannot read properties of undefined (reading 'x')")).code).toBe(ErrorCode.UNKNOWN);
    expect(toParleyError('a string').code).toBe(ErrorCode.UNKNOWN);
    expect(isTransientError(null)).toBe(false);
  });

  it('does not loop on a cyclic cause chain', () => {
    const a: { message: string; cause?: unknown } = { message: 'a' };
    a.cause = a;
    expect(isTransientError(a)).toBe(false);
  });
});
