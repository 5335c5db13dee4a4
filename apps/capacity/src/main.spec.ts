import { formatNumber, runCapacity } from './main';

function run(...argv: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = runCapacity(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe('capacity command', () => {
  it('prints the formula with the numbers, the replica bounds, the HPA target and the Helm values', () => {
    const { code, stdout, stderr } = run('--peak-rps', '5000', '--target-rps', '500', '--safety', '1.5');
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toContain('instances   = peakRps / targetRpsPerInstance × safetyFactor');
    expect(stdout).toContain('= 5000 / 500 × 1.5 = 15\n');
    expect(stdout).toContain('maxReplicas = max(minReplicas, ceil(instances)) = max(2, 15) = 15');
    expect(stdout).toContain('minReplicas = 2');
    expect(stdout).toContain('llm_hub_requests_per_second  averageValue: 333334m');
    expect(stdout).toContain('500 / 1.5 ≈ 333.3333 req/s per pod');
    expect(stdout).toContain('ceil(5000 / 333.334) = 15 replicas');
    expect(stdout).toContain(
      '--set capacity.peakRps=5000 --set capacity.targetRpsPerInstance=500 --set capacity.safetyFactor=1.5 --set capacity.minReplicas=2',
    );
  });

  it('accepts --flag=value and --min-replicas', () => {
    const { code, stdout } = run('--peak-rps=1000', '--target-rps=300', '--safety=1.2', '--min-replicas=3');
    expect(code).toBe(0);
    expect(stdout).toContain('= 1000 / 300 × 1.2 = 4\n'); // not 4.000000000000001
    expect(stdout).toContain('= max(3, 4) = 4');
    expect(stdout).toContain('averageValue: 250000m');
    expect(stdout).toContain('--set capacity.minReplicas=3');
  });

  it('shows rounded numbers with ≈ and minReplicas when the need is below it', () => {
    const { stdout } = run('--peak-rps', '1', '--target-rps', '1000', '--safety', '1.5');
    expect(stdout).toContain('= 1 / 1000 × 1.5 = 0.0015\n');
    expect(stdout).toContain('= max(2, 1) = 2');
    expect(stdout).toContain('1000 / 1.5 ≈ 666.6667 req/s per pod');
  });

  it('says when the HPA stops one short of maxReplicas at the peak', () => {
    const { stdout } = run('--peak-rps', '18323', '--target-rps', '121', '--safety', '2.1');
    expect(stdout).toContain('ceil(18323 / 57.62) = 318 replicas (1 under maxReplicas: averageValue is rounded up to 1m)');
  });

  it('--latency adds the calls a replica holds in flight at its target and the memory they take', () => {
    const { code, stdout } = run('--peak-rps', '5000', '--target-rps', '500', '--safety', '1.5', '--latency', '5');
    expect(code).toBe(0);
    expect(stdout).toContain('inFlight = ceil(targetRpsPerInstance × latency) = ceil(500 × 5) = 2500 calls');
    expect(stdout).toMatch(/memory {3}= \d+ MiB \+ 2500 × \d+ KiB ≈ \d+ MiB/);
    expect(stdout).toContain('enough for one provider serving it all');
    expect(run('--peak-rps', '5000', '--target-rps', '500', '--safety', '1.5', '--latency', '30').stdout).toContain('EXCEEDED by one provider serving it all: raise it to 15000');
    const json = JSON.parse(run('--peak-rps', '5000', '--target-rps', '500', '--safety', '1.5', '--latency', '5', '--json').stdout);
    expect(json.inFlight).toMatchObject({ latencySeconds: 5, inFlightPerPod: 2500 });
    const bad = run('--peak-rps', '5000', '--target-rps', '500', '--safety', '1.5', '--latency', '0');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--latency must be a number > 0');
  });

  it('--json prints the plan', () => {
    const { code, stdout } = run('--peak-rps', '5000', '--target-rps', '500', '--safety', '1.5', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      peakRps: 5000,
      targetRpsPerInstance: 500,
      safetyFactor: 1.5,
      instances: 15,
      maxReplicas: 15,
      minReplicas: 2,
      podsMetric: { name: 'llm_hub_requests_per_second', averageValue: '333334m', averageValueRps: 333.334 },
      replicasAtPeak: 15,
    });
  });

  it('--help prints the usage and exits 0', () => {
    const { code, stdout } = run('--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: capacity --peak-rps/);
  });

  it.each([
    ['a missing flag', ['--peak-rps', '5000', '--target-rps', '500'], /--safety is required/],
    ['every missing flag', [], /--peak-rps is required\ncapacity: --target-rps is required\ncapacity: --safety is required/],
    ['a non-number', ['--peak-rps', 'lots', '--target-rps', '500', '--safety', '1.5'], /--peak-rps must be a number \(got 'lots'\)/],
    ['an empty value', ['--peak-rps=', '--target-rps', '500', '--safety', '1.5'], /--peak-rps must be a number \(got ''\)/],
    ['target 0', ['--peak-rps', '5000', '--target-rps', '0', '--safety', '1.5'], /--target-rps must be a number > 0 \(got 0\)/],
    ['peak 0', ['--peak-rps', '0', '--target-rps', '500', '--safety', '1.5'], /--peak-rps must be a number > 0 \(got 0\)/],
    ['safety below 1', ['--peak-rps', '5000', '--target-rps', '500', '--safety', '0.8'], /--safety must be a number ≥ 1 \(got 0.8\)/],
    ['minReplicas 0', ['--peak-rps', '5000', '--target-rps', '500', '--safety', '1.5', '--min-replicas', '0'], /--min-replicas must be a whole number ≥ 1 \(got 0\)/],
    ['an unknown flag', ['--peak-rps', '5000', '--target-rps', '500', '--safety', '1.5', '--max', '3'], /Unknown option '--max'/],
    ['a positional argument', ['5000'], /Unexpected argument '5000'/],
    ['a flag without its value', ['--peak-rps'], /--peak-rps/],
  ])('rejects %s on stderr with exit 2 and the usage', (_name, argv, message) => {
    const { code, stdout, stderr } = run(...argv);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr).toMatch(/^capacity: /);
    expect(stderr).toContain('Usage: capacity');
  });

  it('formats numbers without float noise', () => {
    expect(formatNumber(4.000000000000001)).toBe('4');
    expect(formatNumber(15)).toBe('15');
    expect(formatNumber(8.021)).toBe('8.021');
    expect(formatNumber(1 / 3)).toBe('0.3333');
  });
});
