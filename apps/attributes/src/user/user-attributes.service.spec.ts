import { ErrorCode, ParleyError, type AppId } from '@parley/contracts';
import { readAttributesConfig } from '../config/attributes.config';
import type { UserAttributesRepository } from './user-attributes.repository';
import { UserAttributesService } from './user-attributes.service';

const appId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90' as AppId;

function setup(hasSession = true) {
  const repository = {
    // Runs the check against an empty set, as the repository does inside its transaction.
    write: jest.fn(
      async (_app: AppId, _uid: string, instanceId: string | undefined, _change: unknown, check: (current: ReadonlyMap<string, string>) => void) => {
        if (instanceId === undefined && !hasSession) return false;
        check(new Map());
        return true;
      },
    ),
  };
  const sut = new UserAttributesService(repository as unknown as UserAttributesRepository, readAttributesConfig({}));
  return { sut, repository };
}

async function codeOf(p: Promise<unknown>): Promise<ErrorCode | undefined> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (err === undefined) return undefined;
  expect(err).toBeInstanceOf(ParleyError);
  return (err as ParleyError).code;
}

describe('UserAttributesService.write', () => {
  it('writes the given login (the SDK’s path, unchanged)', async () => {
    const { sut, repository } = setup();
    expect(await sut.write({ appId, uid: 'ann', instanceId: 'i1', op: 'set', attrs: { a: '1' } })).toBeNull();
    expect(repository.write).toHaveBeenCalledWith(appId, 'ann', 'i1', { op: 'set', attrs: new Map([['a', '1']]) }, expect.any(Function));
  });

  it('without an instance id writes the user’s current login (the server API)', async () => {
    const { sut, repository } = setup();
    expect(await sut.write({ appId, uid: 'ann', op: 'add', attrs: { a: '1' } })).toBeNull();
    expect(repository.write).toHaveBeenCalledWith(appId, 'ann', undefined, { op: 'add', attrs: new Map([['a', '1']]) }, expect.any(Function));
  });

  it('answers USER_NOT_FOUND when the user has no session to write to', async () => {
    const { sut } = setup(false);
    expect(await codeOf(sut.write({ appId, uid: 'ann', op: 'clear' }))).toBe(ErrorCode.USER_NOT_FOUND);
  });

  it('checks ids and the change before reading any state, whichever login is meant', async () => {
    const { sut, repository } = setup(false);
    expect(await codeOf(sut.write({ appId, uid: 'ann', instanceId: '', op: 'clear' }))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(await codeOf(sut.write({ appId, uid: '', op: 'clear' }))).toBe(ErrorCode.INVALID_USER_ID);
    expect(await codeOf(sut.write({ appId, uid: 'ann', op: 'add', attrs: { 'a b': '1' } }))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(await codeOf(sut.write({ appId, uid: 'ann', op: 'add', attrs: { a: 'x'.repeat(8193) } }))).toBe(ErrorCode.SIZE_OVERFLOW);
    expect(repository.write).not.toHaveBeenCalled();
  });
});
