/**
 * The scaling runner's command line. Every option has its default here, and nowhere else.
 */
import { parseArgs } from 'node:util';
import { durationMs } from '../scenarios/duration';

export interface ScalingOptions {
  help: boolean;
  kubeconfig: string | undefined;
  namespace: string;
  /** The gateway's Deployment (the chart's fullname). */
  deployment: string;
  /** Its HorizontalPodAutoscaler; pinned during the run and restored after. Absent: none. */
  hpa: string;
  /** The gateway's URL for the load Job (the chart's Service). */
  targetUrl: string;
  /** The load-runner image the Jobs run. */
  image: string;
  model: string;
  promptSuffix: string;
  replicas: number[];
  /** Measured part of each step (a k6 duration). */
  duration: string;
  /** Load before each measured part, discarded: Node's JIT and the new pods' caches warm up. */
  warmup: string;
  /** Requests in flight per replica (the runner's MAX_VUS is n times it). */
  vusPerReplica: number;
  /** Arrivals per second per replica (RATE is n times it): above a pod's capacity, so pods are CPU-bound. */
  ratePerReplica: number;
  repeatRatio: number;
  promptPool: number;
  gate: number;
  /** Largest error rate of a step whose throughput still counts. */
  maxErrorRate: number;
  outDir: string;
  /** How long pods get to become Ready after a replica change (ms). */
  readyTimeoutMs: number;
  /** CPU request of the load Job (it has no limit). */
  loadCpu: string;
  /** An existing Secret holding the gateway key under API_KEY (auth.apiKeys); empty: no key. */
  apiKeySecret: string;
}

export class UsageError extends Error {}

const SPEC = {
  kubeconfig: { default: '', doc: 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' },
  namespace: { default: 'default', doc: 'namespace of the release' },
  deployment: { default: '', doc: "the gateway Deployment: the chart's fullname, e.g. hub-llm-connector-hub (required)" },
  hpa: { default: '', doc: 'its HorizontalPodAutoscaler (default: the Deployment\'s name; pinned, then restored; none is fine)' },
  'target-url': { default: '', doc: 'the gateway URL for the load Job (default: http://<deployment>.<namespace>, the chart\'s Service)' },
  image: { default: '', doc: 'the load-runner image (make images: llmhub.local/load-runner:<tag>) (required)' },
  model: { default: 'mock/mock-1', doc: 'the model asked for' },
  'prompt-suffix': { default: '', doc: 'appended to every prompt, e.g. "[[fake latency=500]]" for the fake provider' },
  replicas: { default: '1,2,4,8', doc: 'replica counts, ascending; efficiency is relative to the first' },
  duration: { default: '60s', doc: 'measured load per step' },
  warmup: { default: '20s', doc: 'load before each measured part, not counted ("0s": none)' },
  'vus-per-replica': { default: '40', doc: 'requests in flight per replica' },
  'rate-per-replica': { default: '400', doc: "arrivals/s per replica, above a pod's capacity (saturation)" },
  'repeat-ratio': { default: '0.5', doc: 'share of requests repeating a pooled prompt (cache hits, in-process or Redis)' },
  'prompt-pool': { default: '200', doc: 'distinct pooled prompts: each pod meets each one first in Redis (another pod answered it), then in its own cache' },
  gate: { default: '0.95', doc: 'exit 2 when the efficiency at the largest replica count is below this' },
  'max-error-rate': { default: '0.01', doc: 'a step with more failed requests fails the run (exit 1)' },
  out: { default: 'scaling-results', doc: 'directory for scaling.md, scaling.svg and scaling.json' },
  'ready-timeout': { default: '5m', doc: 'how long pods get to become Ready after each replica change' },
  'load-cpu': { default: '250m', doc: 'CPU request of the load Job (no limit): its share of a busy node, so that the load is not what is measured' },
  'api-key-secret': { default: '', doc: 'a Secret with the gateway key under API_KEY, when the gateway has keys' },
} as const;

type Flag = keyof typeof SPEC;

export function usage(): string {
  return [
    'Usage: node dist/loadtest/scaling/main.js --deployment NAME --image LOAD_RUNNER_IMAGE [--flag value ...]',
    '',
    'Measures how the gateway scales: for each replica count it pins the replicas (HPA min = max, and the',
    'Deployment\'s scale), waits until every pod is Ready and in the Service, runs the load-runner image as a',
    'Job at saturation (cache-mix scenario) and reads its result. It writes a markdown table and an SVG chart,',
    'restores the HPA and the replica count, and exits 0 when the efficiency RPS(n) / (n x RPS(1)) at the',
    'largest count meets the gate, 2 below it, 1 when a step failed, 64 for bad flags.',
    '',
    ...Object.entries(SPEC).map(([flag, spec]) => `  --${flag.padEnd(18)} ${spec.doc}${spec.default ? ` (default ${spec.default})` : ''}`),
    '',
  ].join('\n');
}

function number(flag: Flag, text: string, check: (n: number) => boolean, what: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || !check(value)) throw new UsageError(`--${flag}: ${JSON.stringify(text)} is not ${what}`);
  return value;
}

function duration(flag: Flag, text: string): string {
  if (durationMs(text) === undefined) throw new UsageError(`--${flag}: ${JSON.stringify(text)} is not a duration such as 30s or 2m`);
  return text;
}

export function parseScalingCli(argv: readonly string[]): ScalingOptions {
  let parsed;
  try {
    const options = Object.fromEntries(Object.keys(SPEC).map((flag) => [flag, { type: 'string' as const }]));
    parsed = parseArgs({ args: [...argv], options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const values = parsed.values as Partial<Record<Flag, string>> & { help?: boolean };
  const get = (flag: Flag): string => values[flag] ?? SPEC[flag].default;
  const help = values.help === true;
  const deployment = get('deployment');
  const image = get('image');
  if (!help && !deployment) throw new UsageError('--deployment is required');
  if (!help && !image) throw new UsageError('--image is required');

  const replicas = get('replicas')
    .split(',')
    .map((part) => number('replicas', part, (n) => Number.isInteger(n) && n >= 1, 'a list of whole numbers of at least 1'));
  if (replicas.some((n, i) => i > 0 && n <= replicas[i - 1])) throw new UsageError(`--replicas: ${get('replicas')} is not ascending`);

  const namespace = get('namespace');
  return {
    help,
    kubeconfig: get('kubeconfig') || undefined,
    namespace,
    deployment,
    hpa: get('hpa') || deployment,
    targetUrl: get('target-url') || `http://${deployment}.${namespace}`,
    image,
    model: get('model'),
    promptSuffix: get('prompt-suffix'),
    replicas,
    duration: duration('duration', get('duration')),
    warmup: duration('warmup', get('warmup')),
    vusPerReplica: number('vus-per-replica', get('vus-per-replica'), (n) => Number.isInteger(n) && n >= 1, 'a whole number of at least 1'),
    ratePerReplica: number('rate-per-replica', get('rate-per-replica'), (n) => Number.isInteger(n) && n >= 1, 'a whole number of at least 1'),
    repeatRatio: number('repeat-ratio', get('repeat-ratio'), (n) => n >= 0 && n <= 1, 'a share between 0 and 1'),
    promptPool: number('prompt-pool', get('prompt-pool'), (n) => Number.isInteger(n) && n >= 1, 'a whole number of at least 1'),
    gate: number('gate', get('gate'), (n) => n > 0, 'a positive share (0.95 is 95 %)'),
    maxErrorRate: number('max-error-rate', get('max-error-rate'), (n) => n >= 0 && n <= 1, 'a share between 0 and 1'),
    outDir: get('out'),
    readyTimeoutMs: durationMs(duration('ready-timeout', get('ready-timeout')))!,
    loadCpu: get('load-cpu'),
    apiKeySecret: get('api-key-secret'),
  };
}
