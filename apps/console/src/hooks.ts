import { useEffect, useState } from 'preact/hooks';
import type { Store } from './playground/store';

/** The store's current state; the component re-renders on every change. */
export function useStore<S>(store: Store<S>): S {
  const [state, setState] = useState(store.get());
  useEffect(() => {
    const unsubscribe = store.subscribe(setState);
    setState(store.get()); // a change between the first render and this effect
    return () => void unsubscribe();
  }, [store]);
  return state;
}
