import { Store } from './store';

describe('Store', () => {
  it('merges changes into a new state and tells the subscribers until they leave', () => {
    const store = new Store({ a: 1, b: 'x' });
    const seen: unknown[] = [];
    const leave = store.subscribe((s) => seen.push(s));
    const before = store.get();
    store.update((s) => ({ a: s.a + 1 }));
    expect(store.get()).toEqual({ a: 2, b: 'x' });
    expect(store.get()).not.toBe(before);
    store.update(() => ({})); // nothing changed: nobody is told
    leave();
    store.update(() => ({ b: 'y' }));
    expect(seen).toEqual([{ a: 2, b: 'x' }]);
  });
});
