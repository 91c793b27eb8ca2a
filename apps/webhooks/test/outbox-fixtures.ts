import { randomBytes } from 'node:crypto';
import type { ClaimLimits } from '../src/dispatch/deliveries.repository';

/** Claim limits of the outbox int tests: generous unless a test narrows them. */
export const claimLimits = (over: Partial<ClaimLimits> = {}): ClaimLimits => ({
  max: 100,
  perEndpoint: 100,
  endpointSlots: new Map(),
  leaseMs: 60_000,
  ...over,
});

/** Fresh app ids for a suite, remembered (in `ids`) for its clean-up. */
export function appIds(): { ids: string[]; next: () => string } {
  const ids: string[] = [];
  return {
    ids,
    next: () => {
      const appId = randomBytes(16).toString('hex');
      ids.push(appId);
      return appId;
    },
  };
}
