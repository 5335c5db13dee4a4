import { CompositeBreaker, type CompositeBreakerOptions } from './composite-breaker';

function breaker(options: Partial<CompositeBreakerOptions>) {
  const clock = { now: 1_000_000 };
  const subject = new CompositeBreaker(
    { consecutiveFailures: 1_000, failureRateThreshold: 0.5, samplingWindowMs: 10_000, minimumCalls: 4, ...options },
    () => clock.now,
  );
  return { subject, clock };
}

describe('CompositeBreaker', () => {
  it('opens on the Nth consecutive failure', () => {
    const { subject } = breaker({ consecutiveFailures: 3, minimumCalls: 1_000 });
    expect([subject.failure(), subject.failure()]).toEqual([false, false]);
    subject.success();
    expect([subject.failure(), subject.failure(), subject.failure()]).toEqual([false, false, true]);
  });

  it('opens when the rate reaches the threshold, only once the window holds minimumCalls calls', () => {
    const { subject } = breaker({ failureRateThreshold: 0.5, minimumCalls: 10 });
    // S F S F ...: 50% from the second call on, but only the tenth call makes the window big enough.
    for (let i = 0; i < 4; i++) {
      subject.success();
      expect(subject.failure()).toBe(false);
    }
    subject.success();
    expect(subject.failure()).toBe(true);
  });

  it('a threshold of 1 opens only when every call in the window failed', () => {
    const { subject } = breaker({ failureRateThreshold: 1, minimumCalls: 3 });
    subject.success();
    expect([subject.failure(), subject.failure(), subject.failure()]).toEqual([false, false, false]);
    const fresh = breaker({ failureRateThreshold: 1, minimumCalls: 3 }).subject;
    expect([fresh.failure(), fresh.failure(), fresh.failure()]).toEqual([false, false, true]);
  });

  it('slides the window in tenths and ignores buckets left from long ago', () => {
    const { subject, clock } = breaker({ samplingWindowMs: 10_000 });
    subject.failure();
    subject.failure();
    clock.now += 9_000;
    expect(subject.snapshot()).toMatchObject({ calls: 2, failures: 2 });
    clock.now += 1_000;
    expect(subject.snapshot()).toMatchObject({ calls: 0, failures: 0 });
    // Exactly one full ring later the same bucket slot comes round again: not counted twice.
    clock.now += 100_000 - 10_000;
    subject.success();
    expect(subject.snapshot()).toMatchObject({ calls: 1, failures: 0 });
  });

  it('starts from a clean slate when reset (a half-open probe succeeded)', () => {
    const { subject } = breaker({ failureRateThreshold: 0.5, minimumCalls: 4, consecutiveFailures: 3 });
    subject.failure();
    subject.failure();
    subject.success();
    subject.failure();
    subject.reset();
    expect(subject.snapshot()).toEqual({ calls: 0, failures: 0, consecutiveFailures: 0 });
    expect([subject.failure(), subject.failure()]).toEqual([false, false]);
  });
});
