import { ErrorCode, ParleyError, type AppId, type MetadataData } from '@parley/contracts';
import { ChanMsgKind, configureSubjects, MetadataSubjects, Subjects } from '@parley/contracts/internal';
import type { NatsBus } from '@parley/platform';
import { readAttributesConfig } from '../config/attributes.config';
import type { MetadataState } from './metadata-rules';
import type { MetadataRepository } from './metadata.repository';
import { MetadataService } from './metadata.service';

const appId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90' as AppId;

function setup(current: MetadataState = { majorRevision: 0, items: new Map() }) {
  const after: MetadataData = { majorRevision: 42, items: [] };
  const repository = {
    // Decides against `current` and runs afterWrite, as the repository does inside its transaction.
    write: jest.fn(async (_app, _target, _change, plan: (s: MetadataState) => unknown, afterWrite: (md: MetadataData) => Promise<void>) => {
      plan(current);
      await afterWrite(after);
      return after;
    }),
    get: jest.fn(async () => after),
  };
  const bus = { publish: jest.fn(), flush: jest.fn(async () => undefined) };
  const sut = new MetadataService(repository as unknown as MetadataRepository, bus as unknown as NatsBus, readAttributesConfig({}));
  return { sut, repository, bus, after };
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

describe('MetadataService', () => {
  beforeAll(() => configureSubjects('parley'));

  it('writes a user’s set and publishes the set it leaves on the user’s metadata subject, then flushes', async () => {
    const { sut, repository, bus, after } = setup();
    expect(await sut.writeUser({ appId, uid: 'ann', author: 'ann', op: 'set', items: [{ key: 'a', value: '1' }] })).toEqual({ majorRevision: 42 });
    expect(repository.write).toHaveBeenCalledWith(
      appId,
      { scope: 'u', name: 'ann' },
      expect.objectContaining({ op: 'set', author: 'ann' }),
      expect.any(Function),
      expect.any(Function),
    );
    expect(bus.publish).toHaveBeenCalledWith(MetadataSubjects.user(appId, 'ann'), { uid: 'ann', md: after }, { trace: true });
    expect(bus.flush).toHaveBeenCalled();
  });

  it('publishes a channel’s set to its members on the channel event subject', async () => {
    const { sut, bus, after } = setup();
    await sut.writeChannel({ appId, ch: 'room 1', author: 'bob', op: 'clear' });
    expect(bus.publish).toHaveBeenCalledWith(Subjects.channelEvents(appId, 'room 1'), [ChanMsgKind.METADATA, { ch: 'room 1', md: after }], { trace: true });
  });

  it('checks ids and the write before reading any state', async () => {
    const { sut, repository } = setup();
    expect(await codeOf(sut.writeUser({ appId: 'x', uid: 'ann', author: 'ann', op: 'clear' }))).toBe(ErrorCode.INVALID_APP_ID);
    expect(await codeOf(sut.writeUser({ appId, uid: 'ann', author: '', op: 'clear' }))).toBe(ErrorCode.INVALID_USER_ID);
    expect(await codeOf(sut.writeChannel({ appId, ch: '', author: 'ann', op: 'clear' }))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(await codeOf(sut.writeUser({ appId, uid: 'ann', author: 'ann', op: 'add', items: [{ key: 'a' }, { key: 'a' }] }))).toBe(ErrorCode.DUPLICATE_KEY);
    expect(await codeOf(sut.getUser({ appId, uid: 'null' }))).toBe(ErrorCode.INVALID_USER_ID);
    expect(repository.write).not.toHaveBeenCalled();
    expect(repository.get).not.toHaveBeenCalled();
  });

  it('a refused write publishes nothing', async () => {
    const { sut, bus } = setup({ majorRevision: 3, items: new Map() });
    expect(await codeOf(sut.writeUser({ appId, uid: 'ann', author: 'ann', op: 'clear', majorRevision: 2 }))).toBe(ErrorCode.OUTDATED_REVISION);
    expect(bus.publish).not.toHaveBeenCalled();
  });
});
