import { parseScalingCli, usage, UsageError } from './cli';
import { JOB_LABEL, loadJob } from './job-spec';

const required = ['--deployment', 'hub-llm-connector-hub', '--image', 'llmhub.local/load-runner:1'];

describe('the scaling runner command line', () => {
  it('has the benchmark defaults: 1, 2, 4, 8 replicas, the 0.95 gate, the Service in the namespace', () => {
    const options = parseScalingCli(required);
    expect(options).toMatchObject({
      namespace: 'default',
      deployment: 'hub-llm-connector-hub',
      hpa: 'hub-llm-connector-hub',
      targetUrl: 'http://hub-llm-connector-hub.default',
      replicas: [1, 2, 4, 8],
      gate: 0.95,
      duration: '60s',
      outDir: 'scaling-results',
    });
  });

  it('takes every option as a flag', () => {
    const options = parseScalingCli([...required, '--namespace', 'perf', '--replicas', '2,3', '--gate', '0.5', '--duration', '10s', '--warmup', '0s', '--hpa', 'other', '--ready-timeout', '2m']);
    expect(options).toMatchObject({ namespace: 'perf', replicas: [2, 3], gate: 0.5, duration: '10s', warmup: '0s', hpa: 'other', targetUrl: 'http://hub-llm-connector-hub.perf', readyTimeoutMs: 120_000 });
  });

  it.each([
    [['--image', 'x'], /--deployment is required/],
    [['--deployment', 'x'], /--image is required/],
    [[...required, '--replicas', '1,4,2'], /--replicas: 1,4,2 is not ascending/],
    [[...required, '--replicas', '0,1'], /--replicas: "0" is not a list of whole numbers/],
    [[...required, '--gate', 'high'], /--gate: "high" is not a positive share/],
    [[...required, '--duration', '30'], /--duration: "30" is not a duration/],
    [[...required, '--nope', '1'], /Unknown option '--nope'/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseScalingCli(argv)).toThrow(UsageError);
    expect(() => parseScalingCli(argv)).toThrow(message);
  });

  it('documents every flag with its default', () => {
    expect(usage()).toMatch(/--replicas\s+replica counts, ascending.*\(default 1,2,4,8\)/);
    expect(usage()).toMatch(/--gate\s+.*\(default 0\.95\)/);
  });
});

describe('the load Job of a step', () => {
  it('runs the cache mix at saturation scaled with the replica count, restricted, without a CPU limit', () => {
    const options = parseScalingCli([...required, '--vus-per-replica', '30', '--rate-per-replica', '200', '--prompt-suffix', '[[fake latency=500]]']);
    const job = loadJob('scaling-x-4', 4, '45s', options);
    const container = job.spec!.template.spec!.containers[0];
    const env = Object.fromEntries(container.env!.map((e) => [e.name, e.value]));
    expect(container.args).toBeUndefined();
    expect(container.command).toBeUndefined();
    expect(env).toMatchObject({ SCENARIO: 'cache-mix', TARGET_URL: 'http://hub-llm-connector-hub.default', RATE: '800', VUS: '120', MAX_VUS: '120', DURATION: '45s', PROMPT_SUFFIX: '[[fake latency=500]]' });
    expect(container.resources).toEqual({ requests: { cpu: '250m', memory: '128Mi' } });
    expect(job.spec!.backoffLimit).toBe(0);
    expect(job.metadata!.labels).toEqual({ [JOB_LABEL]: 'load' });
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
  });

  it('reads the gateway key from a Secret, never from a value', () => {
    const job = loadJob('j', 1, '10s', parseScalingCli([...required, '--api-key-secret', 'hub-key']));
    const key = job.spec!.template.spec!.containers[0].env!.find((e) => e.name === 'API_KEY');
    expect(key).toEqual({ name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'hub-key', key: 'API_KEY' } } });
  });
});
