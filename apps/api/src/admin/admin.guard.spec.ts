import { ApiError } from '../http/api-error';
import { checkAdminToken } from './admin.guard';

const TOKEN = 'an-admin-token-of-some-length';

function statusOf(configured: string, authorization: string | undefined): number {
  try {
    checkAdminToken(configured, authorization);
    return 200;
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    return (err as ApiError).status;
  }
}

describe('checkAdminToken', () => {
  it('lets the bearer of ADMIN_TOKEN in', () => {
    expect(statusOf(TOKEN, `Bearer ${TOKEN}`)).toBe(200);
    expect(statusOf(TOKEN, `  Bearer ${TOKEN} `)).toBe(200);
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['another scheme', `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`],
    ['the bare token', TOKEN],
    ['a wrong token', 'Bearer not-the-token'],
    ['a prefix of the token', `Bearer ${TOKEN.slice(0, -1)}`],
    ['the token and more', `Bearer ${TOKEN}x`],
    ['lower-case scheme and an empty token', 'bearer '],
  ])('answers 401 to %s', (_what, header) => {
    expect(statusOf(TOKEN, header)).toBe(401);
  });

  it('answers 403 to everyone, the right guess included, while no ADMIN_TOKEN is configured', () => {
    expect(statusOf('', undefined)).toBe(403);
    expect(statusOf('', 'Bearer ')).toBe(403);
    expect(statusOf('', 'Bearer anything')).toBe(403);
  });
});
