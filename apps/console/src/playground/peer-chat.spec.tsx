import type { VNode } from 'preact';
import { SentItem } from './peer-chat';

/** The text of a rendered-to-vnode tree (components without hooks can be called directly). */
function text(node: unknown): string {
  if (node === null || node === undefined || typeof node === 'boolean') return '';
  if (typeof node === 'string' || typeof node === 'number') return String(node);
  if (Array.isArray(node)) return node.map(text).join('');
  const v = node as VNode<{ children?: unknown }>;
  return typeof v.type === 'function' ? text((v.type as (p: unknown) => unknown)(v.props)) : text(v.props.children);
}

describe('SentItem (TSX through the jest transform)', () => {
  it('is a sent-message item with the text and the delivery result', () => {
    const vnode = SentItem({ m: { key: 1, to: 'bob', text: 'hello', result: 'Failed: RtmTimeoutError' } }) as VNode<Record<string, unknown>>;
    expect(vnode.type).toBe('li');
    expect(vnode.props['data-testid']).toBe('sent-message');
    expect(text(vnode)).toBe('to bob: hello Failed: RtmTimeoutError');
    const ok = SentItem({ m: { key: 2, to: 'bob', text: 'hi', result: 'PEER_RECEIVED' } }) as VNode<{ children: unknown[] }>;
    expect(text(ok)).toContain('PEER_RECEIVED');
  });
});
