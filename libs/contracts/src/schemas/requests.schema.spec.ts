import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ErrorCode } from '../errors';
import { MessageKind } from '../messages';
import { Op, opName } from '../protocol';
import { parseRequestArgs, requestSchemas } from './requests.schema';

describe('request schemas', () => {
  it('cover every op, and docs/protocol.md names every field of every op', () => {
    const doc = readFileSync(join(__dirname, '../../../../docs/protocol.md'), 'utf8');
    for (const op of Object.values(Op)) {
      const schema = requestSchemas[op]?.args;
      expect(schema).toBeDefined();
      const fields = Object.keys((schema as z.ZodObject).shape);
      for (const field of fields) {
        if (!new RegExp(`\\b${field}\\b`).test(doc)) throw new Error(`docs/protocol.md does not name ${opName(op)}.${field}`);
      }
    }
  });

  it('drops unknown fields, at every level of a message', () => {
    const parsed = parseRequestArgs(Op.SEND_PEER, {
      to: 'bob',
      id: 'm1',
      m: { k: MessageKind.TEXT, text: 'hi', extra: 'x'.repeat(30_000), media: { id: 'x', size: 1, name: 'n' } },
      smuggled: { deep: [[[]]] },
    });
    expect(parsed).toEqual({ ok: true, args: { to: 'bob', id: 'm1', m: { k: MessageKind.TEXT, text: 'hi' } } });
  });

  it('answers each field with the code the SDK maps for its operation', () => {
    expect(parseRequestArgs(Op.SEND_PEER, { to: 5, id: 'm', m: { k: 1, text: '' } })).toMatchObject({ ok: false, code: ErrorCode.INVALID_USER_ID });
    expect(parseRequestArgs(Op.SEND_PEER, { to: 'b', id: 'm', m: { k: 9 } })).toMatchObject({ ok: false, code: ErrorCode.INVALID_MESSAGE });
    expect(parseRequestArgs(Op.SEND_PEER, { to: 'b', id: 'm', m: { k: 2, raw: 'not bytes' } })).toMatchObject({ ok: false, code: ErrorCode.INVALID_MESSAGE });
    expect(parseRequestArgs(Op.SEND_PEER, { to: 'b', id: 'm', m: { k: 1, text: 'a', raw: new Uint8Array(1) } })).toMatchObject({
      ok: false,
      code: ErrorCode.INVALID_MESSAGE,
    });
    expect(parseRequestArgs(Op.SEND_PEER, { to: 'b', id: 'm', m: { k: 2, text: 'a', raw: new Uint8Array(1) } })).toMatchObject({
      ok: false,
      code: ErrorCode.INVALID_MESSAGE,
    });
    expect(parseRequestArgs(Op.LOGIN, { appId: [], uid: 'a', instanceId: 'i' })).toMatchObject({ ok: false, code: ErrorCode.INVALID_APP_ID });
    expect(parseRequestArgs(Op.LOGIN, { appId: 'a', uid: 'a' })).toMatchObject({
      ok: false,
      code: ErrorCode.INVALID_ARGUMENT,
      message: expect.stringContaining('instanceId'),
    });
    expect(parseRequestArgs(Op.JOIN, { ch: 'c', since: -1 })).toMatchObject({ ok: false, code: ErrorCode.INVALID_ARGUMENT });
    expect(parseRequestArgs(Op.JOIN, { ch: 'c', since: Number.NaN })).toMatchObject({ ok: false, code: ErrorCode.INVALID_ARGUMENT });
    expect(parseRequestArgs(Op.MEDIA_READ, { mediaId: 'x', offset: 0, length: Infinity })).toMatchObject({ ok: false, code: ErrorCode.INVALID_ARGUMENT });
  });

  it('takes missing args as {} and refuses non-objects with a typed error', () => {
    expect(parseRequestArgs(Op.LOGOUT, undefined)).toEqual({ ok: true, args: {} });
    for (const bad of [1, 'x', [], true, new Uint8Array(3)]) {
      expect(parseRequestArgs(Op.LEAVE, bad)).toMatchObject({ ok: false, code: ErrorCode.INVALID_ARGUMENT });
    }
  });

  it('refuses NUL in strings Postgres stores, and keeps it in message bodies', () => {
    expect(parseRequestArgs(Op.SET_USER_ATTRS, { attrs: { a: 'x\u0000y' } })).toMatchObject({ ok: false, code: ErrorCode.INVALID_ARGUMENT });
    expect(parseRequestArgs(Op.SET_USER_ATTRS, { attrs: { 'a\u0000': 'x' } })).toMatchObject({ ok: false, code: ErrorCode.INVALID_ARGUMENT });
    expect(parseRequestArgs(Op.MEDIA_INFO, { mediaId: '\u0000' })).toMatchObject({ ok: false, code: ErrorCode.INVALID_ARGUMENT });
    expect(parseRequestArgs(Op.LOGIN, { appId: 'a', uid: 'u', instanceId: 'i\u0000' })).toMatchObject({ ok: false, code: ErrorCode.INVALID_ARGUMENT });
    expect(parseRequestArgs(Op.SEND_PEER, { to: 'b', id: 'm', m: { k: 1, text: 'a\u0000b' } })).toMatchObject({ ok: true });
  });

  it('bounds strings and lists', () => {
    expect(parseRequestArgs(Op.QUERY_ONLINE, { uids: Array.from({ length: 10_001 }, () => 'a') })).toMatchObject({ ok: false });
    expect(parseRequestArgs(Op.LEAVE, { ch: 'c'.repeat(257) })).toMatchObject({ ok: false, code: ErrorCode.INVALID_ARGUMENT });
    expect(parseRequestArgs(Op.SEND_CHANNEL, { ch: 'c', id: 'i'.repeat(129), m: { k: 1, text: 'x' } })).toMatchObject({ ok: false });
  });
});
