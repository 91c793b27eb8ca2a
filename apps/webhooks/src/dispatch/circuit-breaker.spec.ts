import { CircuitBreaker } from './circuit-breaker';

describe('circuit breaker', () => {
  let now = 0;
  const sut = () => new CircuitBreaker(3, 1_000, () => now);

  beforeEach(() => (now = 0));

  it('gives the limit minus what is in flight while closed', () => {
    const breaker = sut();
    expect(breaker.allowance('e', 0, 4)).toBe(4);
    expect(breaker.allowance('e', 3, 4)).toBe(1);
    expect(breaker.allowance('e', 5, 4)).toBe(0);
  });

  it('opens after the threshold of consecutive failures, then lets one probe through after the cooldown', () => {
    const breaker = sut();
    breaker.failed('e');
    breaker.failed('e');
    expect(breaker.allowance('e', 0, 4)).toBe(4);
    breaker.failed('e');
    expect(breaker.isOpen('e')).toBe(true);
    expect(breaker.allowance('e', 0, 4)).toBe(0);
    expect(breaker.allowance('other', 0, 4)).toBe(4);
    now = 1_000;
    expect(breaker.allowance('e', 0, 4)).toBe(1);
    expect(breaker.allowance('e', 1, 4)).toBe(0);
  });

  it('reopens on a failed probe and closes on a successful one', () => {
    const breaker = sut();
    for (let i = 0; i < 3; i++) breaker.failed('e');
    now = 1_000;
    breaker.failed('e');
    expect(breaker.allowance('e', 0, 4)).toBe(0);
    now = 2_000;
    expect(breaker.allowance('e', 0, 4)).toBe(1);
    breaker.succeeded('e');
    expect(breaker.isOpen('e')).toBe(false);
    expect(breaker.allowance('e', 0, 4)).toBe(4);
  });

  it('a success resets the count of failures', () => {
    const breaker = sut();
    breaker.failed('e');
    breaker.failed('e');
    breaker.succeeded('e');
    breaker.failed('e');
    expect(breaker.isOpen('e')).toBe(false);
  });

  it('tells when the next open circuit lets its probe through', () => {
    const breaker = sut();
    expect(breaker.nextProbeIn()).toBe(Infinity);
    for (let i = 0; i < 3; i++) breaker.failed('a');
    now = 400;
    for (let i = 0; i < 3; i++) breaker.failed('b');
    breaker.failed('c'); // failures, not open
    expect(breaker.nextProbeIn()).toBe(600);
    now = 1_000;
    // a's cooldown is over (its probe waits for a claim), b's ends in 400 ms.
    expect(breaker.nextProbeIn()).toBe(400);
    now = 1_400;
    expect(breaker.nextProbeIn()).toBe(Infinity);
  });
});
