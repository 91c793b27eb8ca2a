import { ErrorCode, ParleyError } from '@parley/contracts';
import { batchItems, errorReply, replyData } from './service-reply';

describe('ServiceReply', () => {
  const logger = { warn: jest.fn(), error: jest.fn() };

  it('gives back the data of a reply, and its failure as the ParleyError errorReply made of it', () => {
    expect(replyData('svc.x', { ok: true, data: { epoch: 3 } })).toEqual({ epoch: 3 });
    const reply = errorReply('svc.x', new ParleyError(ErrorCode.TOO_OFTEN, 'later', 250), logger);
    expect(() => replyData('svc.x', reply)).toThrow(expect.objectContaining({ code: ErrorCode.TOO_OFTEN, message: 'later', retryAfterMs: 250 }));
  });

  it('takes anything that is not a ServiceReply for UNKNOWN, never throwing anything else', () => {
    for (const bad of [
      null,
      undefined,
      7,
      'ok',
      [],
      {},
      { ok: 'yes' },
      { ok: false },
      { ok: false, error: { code: '4' } },
      { ok: false, error: 3 },
      { big: 1n },
    ]) {
      expect(() => replyData('svc.x', bad)).toThrow(expect.objectContaining({ code: ErrorCode.UNKNOWN }));
    }
    expect(() => replyData('svc.x', undefined, { reason: 'no handler' })).toThrow(/svc\.x: unexpected reply \{"reason":"no handler"\}/);
  });

  it('takes the 1–max items of a batch request, and refuses anything else with INVALID_ARGUMENT', () => {
    expect(batchItems({ syncs: [1, null, 'x'] }, 'syncs', 3)).toEqual([1, null, 'x']);
    for (const bad of [null, undefined, 'syncs', [], {}, { syncs: [] }, { syncs: 'abc' }, { syncs: { 0: 1, length: 1 } }, { syncs: [1, 2, 3, 4] }]) {
      expect(() => batchItems(bad, 'syncs', 3)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT, message: 'syncs: 1–3' }));
    }
  });
});
