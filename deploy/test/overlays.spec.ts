import { parse as parseYaml } from 'yaml';
import { capacityPlan } from '../../apps/capacity/src/capacity-plan';
import type { K8sObject } from './support/k8s-schema';
import { containerOf, envOf, loadGatewayConfig, podSpec, restrictedViolations, selects, workloads, configFileOf } from './support/objects';
import { get, helmTemplateAsync, kindOf, kustomizeBuildAsync, list, maybeOne, one } from './support/render';
import { START_TIMEOUT_MS } from '../../apps/gateway/test/support/timeouts';

/**
 * The kustomize base and overlays (deploy/k8s): the gateway accepts each overlay's config.yaml
 * with the environment its Deployment gives it; every pod is "restricted"; the base is what the
 * chart renders with its defaults (deploy/k8s/README.md says so: this keeps them from drifting);
 * and each overlay does what its README promises.
 */

const NAME = 'llm-connector-hub';
const OVERLAYS = ['dev', 'production'] as const;

const builds = new Map<string, K8sObject[] | Error>();

beforeAll(async () => {
  const jobs: Array<[string, () => Promise<K8sObject[]>]> = [
    ['base', () => kustomizeBuildAsync('deploy/k8s/base')],
    ...OVERLAYS.map((o): [string, () => Promise<K8sObject[]>] => [o, () => kustomizeBuildAsync(`deploy/k8s/overlays/${o}`)]),
    // The chart with its defaults under the release name the base uses (so names and labels match).
    ['chart', () => helmTemplateAsync({ releaseName: NAME })],
    ['chartNetworkPolicy', () => helmTemplateAsync({ releaseName: NAME, values: { networkPolicy: { enabled: true } } })],
  ];
  await Promise.all(
    jobs.map(async ([name, build]) => {
      try {
        builds.set(name, await build());
      } catch (error) {
        builds.set(name, error as Error);
      }
    }),
  );
}, START_TIMEOUT_MS);

function build(name: string): K8sObject[] {
  const objects = builds.get(name);
  if (objects instanceof Error) throw objects;
  return objects!;
}

function deployment(objects: K8sObject[]): K8sObject {
  return one(objects, 'Deployment', NAME);
}

/** What must be equal between the chart and the base: the objects without labels, names made by generators, and Helm-only annotations. */
function comparable(object: K8sObject | undefined): unknown {
  if (!object) return undefined;
  const copy = structuredClone(object) as Record<string, unknown> & { metadata?: Record<string, unknown> };
  delete copy.metadata;
  const template = get<Record<string, unknown> | undefined>(copy, 'spec.template');
  if (template) delete template.metadata;
  return copy;
}

function specWithoutTemplate(workload: K8sObject): Record<string, unknown> {
  const spec = structuredClone(workload.spec) as Record<string, unknown>;
  delete spec.template;
  return spec;
}

describe.each(OVERLAYS)('overlay %s', (overlay) => {
  it('the gateway accepts its config.yaml with the environment of its Deployment', () => {
    const objects = build(overlay);
    const config = loadGatewayConfig(objects, deployment(objects));
    expect(config.server).toMatchObject({ host: '0.0.0.0', port: 3000 });
  });

  it('every pod is restricted, and the namespace enforces the restricted Pod Security Standard', () => {
    const objects = build(overlay);
    expect(workloads(objects).flatMap(restrictedViolations)).toEqual([]);
    const namespaces = kindOf(objects, 'Namespace');
    expect(namespaces).toHaveLength(1);
    expect(namespaces[0].metadata?.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted' });
    // Every namespaced object goes into that namespace.
    const elsewhere = objects.filter((o) => o.kind !== 'Namespace' && o.metadata?.namespace !== namespaces[0].metadata?.name);
    expect(list(elsewhere)).toEqual([]);
  });

  it('Service, PDB, HPA, NetworkPolicy and ServiceMonitor select or target the gateway', () => {
    const objects = build(overlay);
    const pods = get<Record<string, string>>(deployment(objects), 'spec.template.metadata.labels');
    expect(selects(get(one(objects, 'Service', NAME), 'spec.selector'), pods)).toBe(true);
    expect(selects(get(one(objects, 'Service', `${NAME}-metrics`), 'spec.selector'), pods)).toBe(true);
    const pdb = maybeOne(objects, 'PodDisruptionBudget');
    if (pdb) expect(selects(get(pdb, 'spec.selector.matchLabels'), pods)).toBe(true);
    // The ServiceMonitor scrapes the metrics Service and not the API Service (which has no metrics port).
    const monitor = maybeOne(objects, 'ServiceMonitor');
    if (monitor) {
      const selected = kindOf(objects, 'Service').filter((service) => selects(get(monitor, 'spec.selector.matchLabels'), service.metadata?.labels as Record<string, string>));
      expect(list(selected)).toEqual([`Service/${NAME}-metrics`]);
      expect(get(monitor, 'spec.endpoints.0.port')).toBe('metrics');
    }
    const policy = maybeOne(objects, 'NetworkPolicy');
    if (policy) expect(selects(get(policy, 'spec.podSelector.matchLabels'), pods)).toBe(true);
    const hpa = maybeOne(objects, 'HorizontalPodAutoscaler');
    if (hpa) expect(get(hpa, 'spec.scaleTargetRef')).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: NAME });
  });
});

describe('base = the chart with its defaults', () => {
  it('Deployment: the same pod spec (but the generated ConfigMap name and the optional providers Secret)', () => {
    const chart = deployment(build('chart'));
    const base = deployment(build('base'));
    const chartSpec = structuredClone(podSpec(chart));
    const baseSpec = structuredClone(podSpec(base));
    // configMapGenerator appends a hash; the base always reads the providers Secret (optional).
    for (const spec of [chartSpec, baseSpec]) {
      for (const volume of spec.volumes ?? []) if (volume.configMap) (volume.configMap as Record<string, unknown>).name = '(config)';
      for (const c of spec.containers) delete c.envFrom;
    }
    expect(baseSpec).toEqual(chartSpec);
    expect(containerOf(base, 'gateway').envFrom).toEqual([{ secretRef: { name: `${NAME}-providers`, optional: true } }]);
    // And the rest of the Deployment spec (strategy, selector, revisionHistoryLimit). Replicas differ on
    // purpose: the chart renders minReplicas on install and the live count on upgrade (a `lookup`);
    // kustomize has no lookup, so the base leaves replicas to the HPA (an applied count would reset it).
    expect(get(chart, 'spec.replicas')).toBe(get(one(build('chart'), 'HorizontalPodAutoscaler', NAME), 'spec.minReplicas'));
    expect(get(base, 'spec.replicas')).toBeUndefined();
    const { replicas: _chartReplicas, ...chartRest } = specWithoutTemplate(chart);
    expect(specWithoutTemplate(base)).toEqual(chartRest);
  });

  it('config.yaml: the same', () => {
    const chart = configFileOf(build('chart'), deployment(build('chart')));
    const base = configFileOf(build('base'), deployment(build('base')));
    expect(parseYaml(base.text)).toEqual(parseYaml(chart.text));
  });

  it.each(['Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'ServiceAccount'])('%s: the same', (kind) => {
    // By name: helm and kustomize order objects of one kind differently.
    const byName = (objects: K8sObject[]) => [...objects].sort((a, b) => String(a.metadata?.name).localeCompare(String(b.metadata?.name)));
    const chart = byName(kindOf(build('chart'), kind));
    const base = byName(kindOf(build('base'), kind));
    expect(list(base)).toEqual(list(chart));
    expect(base.map(comparable)).toEqual(chart.map(comparable));
  });

  it('NetworkPolicy: the chart with networkPolicy.enabled=true', () => {
    expect(kindOf(build('base'), 'NetworkPolicy').map(comparable)).toEqual(kindOf(build('chartNetworkPolicy'), 'NetworkPolicy').map(comparable));
  });

  it("the base's HPA is the capacity plan of the chart's defaults (5000 / 500 × 1.5)", () => {
    const plan = capacityPlan({ peakRps: 5000, targetRpsPerInstance: 500, safetyFactor: 1.5, minReplicas: 2 });
    const hpa = one(build('base'), 'HorizontalPodAutoscaler');
    expect(get(hpa, 'spec.minReplicas')).toBe(plan.minReplicas);
    expect(get(hpa, 'spec.maxReplicas')).toBe(plan.maxReplicas);
    expect(get<Array<Record<string, unknown>>>(hpa, 'spec.metrics')).toContainEqual({
      type: 'Pods',
      pods: { metric: { name: plan.podsMetric.name }, target: { type: 'AverageValue', averageValue: plan.podsMetric.averageValue } },
    });
  });
});

describe('what each overlay adds', () => {
  it('dev: one replica, no HPA or PDB, debug logs', () => {
    const objects = build('dev');
    expect(get(deployment(objects), 'spec.replicas')).toBe(1);
    expect(list(kindOf(objects, 'HorizontalPodAutoscaler'))).toEqual([]);
    expect(list(kindOf(objects, 'PodDisruptionBudget'))).toEqual([]);
    expect(loadGatewayConfig(objects, deployment(objects)).server.logLevel).toBe('debug');
  });

  it('production: HPA and PDB, the external Redis Cluster cache (nodes from a ConfigMap, password from a required Secret), Redis egress, a ServiceMonitor', () => {
    const objects = build('production');
    expect(get(deployment(objects), 'spec.replicas')).toBeUndefined();
    one(objects, 'HorizontalPodAutoscaler', NAME);
    one(objects, 'PodDisruptionBudget', NAME);
    one(objects, 'ServiceMonitor');
    const gateway = containerOf(deployment(objects), 'gateway');
    const password = envOf(gateway).get('LLM_HUB_REDIS_PASSWORD');
    expect(password?.valueFrom).toEqual({ secretKeyRef: { name: `${NAME}-redis`, key: 'password' } });
    const config = loadGatewayConfig(objects, deployment(objects));
    expect(config.cache.type).toBe('redis-cluster');
    expect(config.cache.redis?.nodes?.length).toBeGreaterThanOrEqual(1);
    expect(config.cache.redis?.password).toBe('dummy-llm_hub_redis_password');
    const egressPorts = get<Array<{ ports?: Array<{ port?: unknown }> }>>(one(objects, 'NetworkPolicy'), 'spec.egress').flatMap((r) => (r.ports ?? []).map((p) => String(p.port)));
    expect(egressPorts).toContain('6379');
  });
});
