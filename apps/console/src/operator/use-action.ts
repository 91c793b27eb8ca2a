import { useState } from 'preact/hooks';
import { describeError } from '../format';

/** Runs an admin call from a view: its error (the API's code and message) is kept for a role="alert". */
export function useAction(): { error: string | null; busy: boolean; run: (action: () => Promise<void>) => Promise<void> } {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (action: () => Promise<void>) => {
    setError(null);
    setBusy(true);
    try {
      await action();
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, run };
}
