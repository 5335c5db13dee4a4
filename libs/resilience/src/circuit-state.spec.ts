import { CircuitStateMachine, type BreakerState } from './circuit-state';

function machine() {
  const clock = { now: 1_000_000 };
  const changes: BreakerState[] = [];
  const circuit = new CircuitStateMachine(
    { consecutiveFailures: 2, failureRateThreshold: 1, samplingWindowMs: 10_000, minimumCalls: 1_000, cooldownMs: 5_000 },
    (state) => changes.push(state),
    () => clock.now,
  );
  return { circuit, clock, changes };
}

function open(circuit: CircuitStateMachine) {
  for (let i = 0; i < 2; i++) {
    expect(circuit.admit()).toEqual({ kind: 'call' });
    circuit.record('failure', false);
  }
}

describe('CircuitStateMachine', () => {
  it('opens on the counts, refuses with the remaining cooldown, then admits a single probe', () => {
    const { circuit, clock, changes } = machine();
    open(circuit);
    expect(circuit.state).toBe('open');
    clock.now += 1_500;
    expect(circuit.admit()).toEqual({ kind: 'rejected', retryAfterMs: 3_500 });
    clock.now += 3_500;
    expect(circuit.admit()).toEqual({ kind: 'probe' });
    expect(circuit.admit()).toEqual({ kind: 'rejected', retryAfterMs: 0 });
    circuit.record('success', true);
    expect(circuit.admit()).toEqual({ kind: 'call' });
    expect(changes).toEqual(['open', 'half_open', 'closed']);
  });

  it('a failed probe re-opens for a full cooldown; a probe that told nothing lets the next call probe', () => {
    const { circuit, clock, changes } = machine();
    open(circuit);
    clock.now += 5_000;
    expect(circuit.admit().kind).toBe('probe');
    circuit.record('neutral', true);
    expect(circuit.state).toBe('half_open');
    expect(circuit.admit().kind).toBe('probe');
    circuit.record('failure', true);
    expect(circuit.admit()).toEqual({ kind: 'rejected', retryAfterMs: 5_000 });
    expect(changes).toEqual(['open', 'half_open', 'open']);
  });

  it('does not count a call admitted while closed that ends after the circuit opened, nor neutral outcomes', () => {
    const { circuit, clock } = machine();
    expect(circuit.admit().kind).toBe('call'); // a slow call, still running
    circuit.record('neutral', false);
    circuit.record('neutral', false);
    expect(circuit.state).toBe('closed');
    open(circuit);
    circuit.record('success', false); // the slow call ends: the circuit stays open
    expect(circuit.state).toBe('open');
    clock.now += 5_000;
    expect(circuit.admit().kind).toBe('probe');
    circuit.record('success', true);
    // Closed from a clean slate: one failure is not enough to open it again.
    circuit.record('failure', false);
    expect(circuit.state).toBe('closed');
  });
});
