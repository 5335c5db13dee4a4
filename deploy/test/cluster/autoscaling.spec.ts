import { capacityPlan, type CapacityInput } from '../../../apps/capacity/src/capacity-plan';
import { eventually, kubectl, kubectlOk, run, type ClusterPaths } from '../support/cluster';
import { imageValues, importImages, IMAGES_TIMEOUT_MS, type ProjectImages } from '../support/images';
import { importPrometheusImage, prometheusManifests, prometheusUrl, SCRAPE_JOB } from '../support/in-cluster-prometheus';
import { CHART_DIR } from '../support/render';
import { ACQUIRE_TIMEOUT_MS, acquireCluster, releaseCluster } from '../support/shared-cluster';

/**
 * Autoscaling, for real, on the run's test cluster:
 *
 *   request rate   the chart with autoscaling.engine=keda: a real Prometheus (a pod, Kubernetes
 *                  service discovery with a ServiceAccount token, the metrics bearer token) scrapes
 *                  the gateway's metrics Service; KEDA's Prometheus trigger reads the release's
 *                  request rate from it; KEDA's HPA scales the Deployment. Under a constant arrival
 *                  rate, replicas go to exactly what the capacity formula says for that rate; when
 *                  the load stops they come back to minReplicas after the (shortened) scale-down
 *                  stabilization window.
 *   CPU            the chart with the plain HPA on CPU only: metrics-server's pod CPU reaches the
 *                  HPA, which scales up under load.
 *
 * The assertions are on replica counts and on the HPA's and the ScaledObject's status, never on
 * how long anything took (the times are printed, for docs/kubernetes.md).
 */

const NAMESPACE = 'autoscaling-spec';
const MONITORING = 'autoscaling-monitoring';
const METRICS_TOKEN = 'autoscaling-spec-metrics-token';
const RELEASE = 'keda';
const CPU_RELEASE = 'cpu';
const fullname = (release: string) => `${release}-llm-connector-hub`;

/**
 * A plan small enough for a shared 2-core node: one replica sustains 3 requests/s, run at two
 * thirds of it (2 requests/s per pod, the HPA's target), at most 5 replicas.
 */
const PLAN_INPUT: Required<CapacityInput> = { peakRps: 10, targetRpsPerInstance: 3, safetyFactor: 1.5, minReplicas: 1 };
/** The load: 5 requests/s. The formula for that rate (ceil(5 × 1.5 / 3)) is 3 replicas, between min and max. */
const LOAD_RPS = 5;
const SCRAPE_INTERVAL = '5s';
const RATE_WINDOW = '30s';
/** Shortened from the chart's 300 s so the spec sees the scale-down. */
const SCALE_DOWN_WINDOW_S = 30;
const BEHAVIOR = {
  scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }] },
  scaleDown: { stabilizationWindowSeconds: SCALE_DOWN_WINDOW_S, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
};

const RESTRICTED = {
  runAsNonRoot: true,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

/** A load-runner Job at a constant arrival rate against a release's Service, until it is deleted. */
function loadJob(name: string, image: string, release: string, rate: number): string {
  return JSON.stringify({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: NAMESPACE },
    spec: {
      backoffLimit: 0,
      template: {
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          containers: [
            {
              name: 'load-runner',
              image,
              imagePullPolicy: 'Never',
              env: [
                { name: 'SCENARIO', value: 'soak' },
                { name: 'TARGET_URL', value: `http://${fullname(release)}` },
                { name: 'MODEL', value: 'mock/mock-1' },
                { name: 'RATE', value: String(rate) },
                { name: 'DURATION', value: '30m' },
                { name: 'MAX_VUS', value: '50' },
              ],
              resources: { requests: { cpu: '10m', memory: '64Mi' } },
              securityContext: RESTRICTED,
            },
          ],
        },
      },
    },
  });
}

interface Hpa {
  metadata: { ownerReferences?: Array<{ kind: string; name: string }> };
  spec: {
    minReplicas: number;
    maxReplicas: number;
    metrics: Array<{
      type: string;
      external?: { metric: { name: string }; target: { type: string; averageValue?: string } };
      resource?: { name: string; target: { type: string; averageUtilization?: number } };
    }>;
    behavior: { scaleDown: { stabilizationWindowSeconds: number } };
  };
  status: {
    currentReplicas: number;
    desiredReplicas: number;
    currentMetrics?: Array<{ type: string; external?: { current: { averageValue?: string } }; resource?: { name: string; current: { averageUtilization?: number } } }>;
    conditions?: Array<{ type: string; status: string; reason: string }>;
  };
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
}

/** A quantity as a number ("2500m" -> 2.5). */
function quantity(value: string): number {
  return value.endsWith('m') ? Number(value.slice(0, -1)) / 1000 : Number(value);
}

describe('autoscaling in the cluster: KEDA on the request rate from a real Prometheus, and the HPA on CPU through metrics-server', () => {
  let paths: ClusterPaths;
  let images: ProjectImages;
  let prometheusImage: string;
  const plan = capacityPlan(PLAN_INPUT);
  /** What the formula says for the load's rate: the plan with peakRps = LOAD_RPS. */
  const expected = capacityPlan({ ...PLAN_INPUT, peakRps: LOAD_RPS }).maxReplicas;
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;

  beforeAll(async () => {
    paths = await acquireCluster();
  }, ACQUIRE_TIMEOUT_MS);

  beforeAll(async () => {
    images = await importImages();
    prometheusImage = await importPrometheusImage(paths);
  }, IMAGES_TIMEOUT_MS);

  afterAll(async () => {
    // The cluster is shared with the run's other cluster specs: leave it as it was.
    if (paths) await kubectl(paths, ['delete', 'namespace', NAMESPACE, MONITORING, '--ignore-not-found', '--wait=false']);
    releaseCluster();
  });

  const helm = (args: string[], timeoutMs = 240_000) => run(paths.helm, args, { timeoutMs, env: { ...process.env, KUBECONFIG: paths.kubeconfig } });
  const getJson = async <T>(args: string[]): Promise<T> => JSON.parse(await kubectlOk(paths, ['-n', NAMESPACE, 'get', ...args, '-o', 'json'])) as T;
  const hpa = (release: string) => getJson<Hpa>(['hpa', fullname(release)]);
  const deployment = (release: string) => getJson<{ status: { replicas?: number; readyReplicas?: number } }>(['deployment', fullname(release)]);
  /** The Prometheus HTTP API, through the API server's service proxy (the host cannot reach ClusterIPs). */
  const prometheus = async <T>(path: string): Promise<T> => {
    const out = await kubectlOk(paths, ['get', '--raw', `/api/v1/namespaces/${MONITORING}/services/prometheus:9090/proxy${path}`]);
    return (JSON.parse(out) as { data: T }).data;
  };
  const common = (release: string, imageRef: string) => [
    'upgrade', '--install', release, CHART_DIR, '--namespace', NAMESPACE, '--wait', '--timeout', '200s',
    '--set', `image.repository=${imageValues(imageRef).repository}`, '--set', `image.tag=${imageValues(imageRef).tag}`,
    '--set', 'image.pullPolicy=Never',
    '--set', `capacity.peakRps=${PLAN_INPUT.peakRps}`, '--set', `capacity.targetRpsPerInstance=${PLAN_INPUT.targetRpsPerInstance}`,
    '--set', `capacity.safetyFactor=${PLAN_INPUT.safetyFactor}`, '--set', `capacity.minReplicas=${PLAN_INPUT.minReplicas}`,
    '--set-json', `autoscaling.behavior=${JSON.stringify(BEHAVIOR)}`,
    '--set', 'podDisruptionBudget.enabled=false', '--set', 'metrics.dashboards.enabled=false',
    '--set', 'resources.requests.memory=128Mi',
  ];

  it('Prometheus, a pod with a ServiceAccount token, finds the gateway through Kubernetes service discovery and scrapes its metrics port with the bearer token', async () => {
    await kubectlOk(paths, ['create', 'namespace', NAMESPACE]);
    await kubectlOk(paths, ['create', 'namespace', MONITORING]);
    // The metrics token: the gateway requires it (metrics.token), Prometheus sends it.
    for (const ns of [NAMESPACE, MONITORING]) await kubectlOk(paths, ['-n', ns, 'create', 'secret', 'generic', 'metrics-token', `--from-literal=token=${METRICS_TOKEN}`]);
    await kubectlOk(paths, ['apply', '-f', '-'], {
      input: prometheusManifests({ namespace: MONITORING, target: NAMESPACE, image: prometheusImage, scrapeInterval: SCRAPE_INTERVAL, tokenSecret: 'metrics-token' }),
    });

    const install = await helm([
      ...common(RELEASE, images.gateway),
      '--set', 'autoscaling.engine=keda',
      '--set', `autoscaling.keda.prometheus.serverAddress=${prometheusUrl(MONITORING)}`,
      '--set', `autoscaling.keda.prometheus.rateWindow=${RATE_WINDOW}`,
      '--set', 'autoscaling.keda.pollingInterval=5',
      '--set', 'metrics.token.existingSecret=metrics-token',
      '--set', 'resources.requests.cpu=200m',
    ]);
    expect({ code: install.code, stderr: install.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    await kubectlOk(paths, ['-n', MONITORING, 'rollout', 'status', 'deployment/prometheus', '--timeout=120s'], { timeoutMs: 130_000 });
    console.log(`[autoscaling] ${elapsed()}: gateway (keda engine) and Prometheus installed`);

    const pods = (await getJson<{ items: Array<{ metadata: { name: string }; status: { podIP: string } }> }>(['pods', '-l', `app.kubernetes.io/instance=${RELEASE}`])).items;
    expect(pods).toHaveLength(PLAN_INPUT.minReplicas);
    const targets = await eventually('Prometheus to scrape the gateway pod successfully', 120_000, async () => {
      const active = (await prometheus<{ activeTargets: Array<{ labels: Record<string, string>; scrapeUrl: string; health: string; lastError: string }> }>('/api/v1/targets?state=active')).activeTargets;
      return active.length > 0 && active.every((t) => t.health === 'up') ? active : undefined;
    });
    // Exactly the pod, on its metrics port (9464), through the metrics Service, with the labels the chart's KEDA query selects on.
    expect(targets).toEqual([
      expect.objectContaining({
        scrapeUrl: `http://${pods[0].status.podIP}:9464/metrics`,
        labels: expect.objectContaining({ job: SCRAPE_JOB, namespace: NAMESPACE, service: `${fullname(RELEASE)}-metrics`, pod: pods[0].metadata.name }),
      }),
    ]);
    // The gateway does require the token: without it, /metrics answers 401.
    const unauthenticated = await kubectl(paths, ['get', '--raw', `/api/v1/namespaces/${NAMESPACE}/pods/${pods[0].metadata.name}:9464/proxy/metrics`]);
    expect(unauthenticated.code).not.toBe(0);
    expect(unauthenticated.stderr).toMatch(/401|Unauthorized|provide credentials|metrics token/i);
  }, 420_000);

  it(`KEDA scales the gateway to exactly the capacity formula's count for the load's rate (${LOAD_RPS} req/s -> ceil(${LOAD_RPS} × ${PLAN_INPUT.safetyFactor} / ${PLAN_INPUT.targetRpsPerInstance}))`, async () => {
    expect(expected).toBe(3);
    expect(expected).toBeGreaterThan(plan.minReplicas);
    expect(expected).toBeLessThan(plan.maxReplicas);

    // KEDA made the HPA, under the release's name, from the chart's plan: bounds, the per-pod target, behavior.
    const made = await eventually('KEDA to create the HPA', 120_000, async () => {
      const object = await hpa(RELEASE);
      return object.metadata.ownerReferences?.some((o) => o.kind === 'ScaledObject' && o.name === fullname(RELEASE)) ? object : undefined;
    });
    expect(made.spec).toMatchObject({ minReplicas: plan.minReplicas, maxReplicas: plan.maxReplicas, behavior: { scaleDown: { stabilizationWindowSeconds: SCALE_DOWN_WINDOW_S } } });
    const external = made.spec.metrics.find((m) => m.type === 'External')!;
    // The API server writes the quantity in its canonical form ("2000m" reads back as "2").
    expect(external.external!.target.type).toBe('AverageValue');
    expect(quantity(external.external!.target.averageValue!)).toBe(plan.podsMetric.averageValueRps);
    expect(made.spec.metrics.find((m) => m.type === 'Resource')!.resource).toMatchObject({ name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } });
    const ready = await eventually('the ScaledObject to be Ready', 120_000, async () => {
      const conditions = (await getJson<{ status?: { conditions?: Condition[] } }>(['scaledobject', fullname(RELEASE)])).status?.conditions ?? [];
      return conditions.some((c) => c.type === 'Ready' && c.status === 'True') ? conditions : undefined;
    });
    expect(ready).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Ready', status: 'True' })]));
    expect((await deployment(RELEASE)).status.replicas).toBe(plan.minReplicas);

    await kubectlOk(paths, ['apply', '-f', '-'], { input: loadJob('load', images['load-runner'], RELEASE, LOAD_RPS) });
    const scaledUp = await eventually(`the HPA to want and the Deployment to run ${expected} replicas`, 300_000, async () => {
      const [h, d] = await Promise.all([hpa(RELEASE), deployment(RELEASE)]);
      return h.status.desiredReplicas === expected && d.status.readyReplicas === expected && d.status.replicas === expected ? h : undefined;
    });
    console.log(`[autoscaling] ${elapsed()}: scaled up to ${expected}`);

    // It stays there: several HPA syncs (15 s each) in a row agree, and the request rate it reads
    // is the load's: per pod, above what expected - 1 pods would carry, within what expected carry.
    const target = quantity(plan.podsMetric.averageValue);
    const band = (h: Hpa) => quantity(h.status.currentMetrics!.find((m) => m.type === 'External')!.external!.current.averageValue!) * h.status.currentReplicas;
    let readings = 0;
    let last = scaledUp;
    const settled = await eventually('three new HPA readings, or one off the formula count', 150_000, async () => {
      const h = await hpa(RELEASE);
      if (JSON.stringify(h.status.currentMetrics) !== JSON.stringify(last.status.currentMetrics)) readings++;
      last = h;
      return h.status.desiredReplicas !== expected || readings >= 3 ? h : undefined;
    });
    expect({ desired: settled.status.desiredReplicas, metrics: settled.status.currentMetrics }).toEqual({ desired: expected, metrics: expect.anything() });
    const total = band(last);
    expect(total).toBeGreaterThan(target * (expected - 1));
    expect(total).toBeLessThanOrEqual(target * expected);
    expect(last.status.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound' })]));
    const conditions = (await getJson<{ status: { conditions: Condition[] } }>(['scaledobject', fullname(RELEASE)])).status.conditions;
    expect(conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Ready', status: 'True' }), expect.objectContaining({ type: 'Active', status: 'True' })]));
    // Prometheus sees the same rate the HPA got (sum over the pods of the release, the chart's query).
    const samples = await prometheus<{ result: Array<{ value: [number, string] }> }>(
      `/api/v1/query?query=${encodeURIComponent(`sum(rate(llm_hub_requests_total{namespace="${NAMESPACE}",service="${fullname(RELEASE)}-metrics"}[${RATE_WINDOW}]))`)}`,
    );
    expect(Number(samples.result[0].value[1])).toBeGreaterThan(target * (expected - 1));
  }, 600_000);

  it(`when the load stops, KEDA's HPA scales back to minReplicas after the ${SCALE_DOWN_WINDOW_S} s stabilization window`, async () => {
    await kubectlOk(paths, ['-n', NAMESPACE, 'delete', 'job', 'load', '--wait=true', '--timeout=60s'], { timeoutMs: 70_000 });
    const stopped = Date.now();
    const down = await eventually(`the HPA to want and the Deployment to run ${plan.minReplicas} replica(s)`, 300_000, async () => {
      const [h, d] = await Promise.all([hpa(RELEASE), deployment(RELEASE)]);
      return h.status.desiredReplicas === plan.minReplicas && d.status.replicas === plan.minReplicas && d.status.readyReplicas === plan.minReplicas ? h : undefined;
    });
    console.log(`[autoscaling] ${elapsed()}: scaled down to ${plan.minReplicas}, ${((Date.now() - stopped) / 1000).toFixed(0)} s after the load stopped`);
    const current = quantity(down.status.currentMetrics!.find((m) => m.type === 'External')!.external!.current.averageValue!);
    expect(current).toBe(0);
    expect(down.status.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'AbleToScale', status: 'True' })]));
  }, 400_000);

  it('the plain HPA on CPU utilisation (metrics-server) scales the gateway up under load', async () => {
    const install = await helm([
      ...common(CPU_RELEASE, images.gateway),
      '--set', 'autoscaling.engine=hpa',
      '--set', 'autoscaling.requestRateMetric.enabled=false',
      '--set', 'resources.requests.cpu=20m',
    ]);
    expect({ code: install.code, stderr: install.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    // Idle, the CPU metric is read and keeps the floor.
    const idle = await eventually('the HPA to read the pods CPU from metrics-server', 180_000, async () => {
      const h = await hpa(CPU_RELEASE);
      return h.status.currentMetrics?.[0]?.resource?.current.averageUtilization !== undefined ? h : undefined;
    });
    expect(idle.spec.metrics).toEqual([expect.objectContaining({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } })]);
    console.log(`[autoscaling] ${elapsed()}: idle CPU ${idle.status.currentMetrics![0].resource!.current.averageUtilization}% of the request`);

    await kubectlOk(paths, ['apply', '-f', '-'], { input: loadJob('cpu-load', images['load-runner'], CPU_RELEASE, 3 * LOAD_RPS) });
    const up = await eventually('the CPU HPA to scale up', 300_000, async () => {
      const [h, d] = await Promise.all([hpa(CPU_RELEASE), deployment(CPU_RELEASE)]);
      return h.status.desiredReplicas > plan.minReplicas && (d.status.readyReplicas ?? 0) > plan.minReplicas ? h : undefined;
    });
    console.log(`[autoscaling] ${elapsed()}: CPU HPA scaled up to ${up.status.desiredReplicas}`);
    expect(up.status.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound' })]));
    expect(up.status.desiredReplicas).toBeLessThanOrEqual(plan.maxReplicas);
    await kubectlOk(paths, ['-n', NAMESPACE, 'delete', 'job', 'cpu-load', '--wait=false']);
  }, 600_000);
});
