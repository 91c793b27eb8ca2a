interface Circuit {
  failures: number;
  /** When it opened (performance.now()); undefined while closed. */
  openedAt?: number;
}

/**
 * One circuit per endpoint (per replica): after `threshold` consecutive failed attempts it opens and
 * the endpoint gets no deliveries; after `cooldownMs` one probe goes through (half-open): a success
 * closes it, a failure opens it for another cooldown. A dead endpoint then costs one attempt per
 * cooldown and never takes slots from the others.
 */
export class CircuitBreaker {
  private readonly circuits = new Map<string, Circuit>();

  constructor(
    private readonly threshold: number,
    private readonly cooldownMs: number,
    /** Its clock (performance.now()); callers pass one reading to allowance and nextProbeIn so that they agree. */
    readonly now: () => number = () => performance.now(),
  ) {}

  /** How many more attempts the endpoint may start at `at`, given its attempts in flight and its limit. */
  allowance(endpointId: string, inFlight: number, limit: number, at = this.now()): number {
    const circuit = this.circuits.get(endpointId);
    if (circuit?.openedAt === undefined) return Math.max(0, limit - inFlight);
    if (at - circuit.openedAt < this.cooldownMs) return 0;
    return inFlight === 0 ? 1 : 0;
  }

  isOpen(endpointId: string): boolean {
    return this.circuits.get(endpointId)?.openedAt !== undefined;
  }

  succeeded(endpointId: string): void {
    this.circuits.delete(endpointId);
  }

  failed(endpointId: string): void {
    const circuit = this.circuits.get(endpointId) ?? { failures: 0 };
    circuit.failures += 1;
    if (circuit.openedAt !== undefined || circuit.failures >= this.threshold) circuit.openedAt = this.now();
    this.circuits.set(endpointId, circuit);
  }

  /**
   * Milliseconds from `at` until the next open circuit lets its probe through (the dispatcher claims
   * then); Infinity when none is waiting for its cooldown. With the same `at`, exactly the circuits
   * whose allowance is 0 for their cooldown are counted.
   */
  nextProbeIn(at = this.now()): number {
    let next = Infinity;
    for (const { openedAt } of this.circuits.values()) {
      if (openedAt === undefined) continue;
      const left = openedAt + this.cooldownMs - at;
      if (left > 0 && left < next) next = left;
    }
    return next;
  }

  /** Endpoints with state (failures or open), for the claim's exclusions. */
  endpoints(): string[] {
    return [...this.circuits.keys()];
  }
}
