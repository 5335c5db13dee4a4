import { kubernetesRelease, schemaErrors, validateObjects, type K8sObject } from './support/k8s-schema';
import { CHART_DIR, ciValuesFiles, helmTemplateAsync, kustomizeBuildAsync, list, parseManifests } from './support/render';
import { START_TIMEOUT_MS } from '../../apps/gateway/test/support/timeouts';

/**
 * Every object the chart renders (defaults and every ci/*-values.yaml) and every object of the
 * kustomize overlays is valid for the Kubernetes API server of the pinned release (kubeconform
 * -strict over the OpenAPI v3 schemas of k8s.io/kubernetes: unknown fields and unknown kinds are
 * errors) and for the CRDs of prometheus-operator, the Gateway API and KEDA. The validator's own
 * tests come first: they prove it can fail, and that the checks kept beside kubeconform (names,
 * integers written as floats) still fail what kubeconform lets through.
 */

const CI_FILES = ciValuesFiles();
const OVERLAYS = ['deploy/k8s/overlays/dev', 'deploy/k8s/overlays/production'];

function deployment(spec: Record<string, unknown> = {}, container: Record<string, unknown> = {}): K8sObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'hub', labels: { app: 'hub' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'hub' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
      template: {
        metadata: { labels: { app: 'hub' } },
        spec: { containers: [{ name: 'gateway', image: 'hub:1', ports: [{ name: 'http', containerPort: 3000 }], ...container }] },
      },
      ...spec,
    },
  };
}

function errorsOf(object: K8sObject): string[] {
  return validateObjects([object])[0].errors;
}

describe(`schema validator (Kubernetes ${kubernetesRelease()})`, () => {
  it('accepts a valid Deployment, Service, HPA, PDB, NetworkPolicy, Ingress, Job, Secret and ConfigMap', () => {
    const objects = parseManifests(`
apiVersion: v1
kind: Service
metadata: { name: hub }
spec:
  selector: { app: hub }
  ports: [{ name: http, port: 80, targetPort: http }]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: hub }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: hub }
  minReplicas: 2
  maxReplicas: 15
  metrics:
    - type: Pods
      pods:
        metric: { name: llm_hub_requests_per_second }
        target: { type: AverageValue, averageValue: 333334m }
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: hub }
spec: { maxUnavailable: 1, selector: { matchLabels: { app: hub } } }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: hub }
spec:
  podSelector: { matchLabels: { app: hub } }
  policyTypes: [Ingress]
  ingress: [{ ports: [{ port: 3000, protocol: TCP }] }]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: hub }
spec:
  rules:
    - host: hub.example.com
      http: { paths: [{ path: /, pathType: Prefix, backend: { service: { name: hub, port: { name: http } } } }] }
---
apiVersion: batch/v1
kind: Job
metadata: { name: hub-init, annotations: { helm.sh/hook: post-install } }
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{ name: init, image: redis:8 }]
---
apiVersion: v1
kind: Secret
metadata: { name: hub }
type: Opaque
data: { OPENAI_API_KEY: c2stdGVzdA== }
stringData: { OTHER: plain }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: hub }
data: { config.yaml: "server: {}\\n" }
`);
    expect(schemaErrors([deployment(), ...objects])).toEqual([]);
  });

  it('rejects a misspelled field (spec.replica), naming it', () => {
    const bad = deployment({ replica: 3 });
    expect(errorsOf(bad)).toEqual(['/spec: unknown field "replica"']);
  });

  it('rejects misspelled fields deep in the pod template and in metadata', () => {
    expect(errorsOf(deployment({}, { imagePullPolicyy: 'Always' }))).toEqual(['/spec/template/spec/containers/0: unknown field "imagePullPolicyy"']);
    const bad = deployment();
    (bad.metadata as Record<string, unknown>).lables = { a: 'b' };
    expect(errorsOf(bad)).toEqual(['/metadata: unknown field "lables"']);
  });

  it('rejects wrong types (a string replica count, a number where a string goes, a boolean int-or-string)', () => {
    expect(errorsOf(deployment({ replicas: '3' }))).toEqual(['/spec/replicas: got string, want integer']);
    expect(errorsOf(deployment({}, { image: 1 }))).toEqual(['/spec/template/spec/containers/0/image: got number, want string']);
    const errors = errorsOf(deployment({ strategy: { rollingUpdate: { maxSurge: true } } }));
    expect(errors).toContain("/spec/strategy/rollingUpdate/maxSurge: 'oneOf' failed, none matched");
  });

  it('rejects a malformed quantity (512MB) and accepts the usual ones', () => {
    expect(errorsOf(deployment({}, { resources: { limits: { memory: '512MB' } } }))).toEqual(["/spec/template/spec/containers/0/resources/limits/memory: 'oneOf' failed, none matched"]);
    expect(errorsOf(deployment({}, { resources: { requests: { cpu: '500m', memory: '256Mi' }, limits: { cpu: 2, memory: '1e9', 'ephemeral-storage': '1.5Gi' } } }))).toEqual([]);
  });

  it('requires what the API requires (a container image is optional, its name is not)', () => {
    expect(errorsOf(deployment({}, { name: undefined }))).toContain("/spec/template/spec/containers/0: missing property 'name'");
  });

  it('reads YAML like the Kubernetes clients (1.1: yes is a boolean; 1e+06 is not an integer; duplicate keys fail)', () => {
    const [yes] = parseManifests(`
apiVersion: v1
kind: ConfigMap
metadata: { name: hub }
data: { enabled: yes }
`);
    expect(errorsOf(yes)).toEqual(['/data/enabled: got boolean, want string']);
    const [floats] = parseManifests(`
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: hub }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: hub }
  minReplicas: 2.0
  maxReplicas: 1e+06
`);
    expect(errorsOf(floats).sort()).toEqual([
      '/spec/maxReplicas: must be an integer, but the YAML has the float literal 1e+06',
      '/spec/minReplicas: must be an integer, but the YAML has the float literal 2.0',
    ]);
    // kubeconform alone reads 1e+06 as the integer 1000000: the float literals are what the extra check sees.
    expect(errorsOf(structuredClone(floats))).toEqual([]);
    expect(() => parseManifests('apiVersion: v1\nkind: ConfigMap\nkind: Secret\n')).toThrow(/[Dd]uplicate|unique/);
  });

  it('rejects unknown kinds and removed API versions instead of passing them', () => {
    expect(errorsOf({ apiVersion: 'autoscaling/v2beta2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'hub' }, spec: {} })[0]).toMatch(/^unknown kind: /);
    expect(errorsOf({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'hub' } })[0]).toMatch(/^unknown kind: /);
    expect(errorsOf({ apiVersion: 'apps/v1', kind: 'Deploymnet', metadata: { name: 'hub' } })[0]).toMatch(/^unknown kind: /);
  });

  it("checks names and labels like the API server (Service names are DNS labels, label values at most 63 characters)", () => {
    const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'Hub_1', labels: { app: 'x'.repeat(64) } }, spec: { ports: [{ port: 80, name: 'a-very-long-port-name' }] } };
    expect(errorsOf(service)).toEqual([
      '/metadata/name: "Hub_1" is not a valid DNS label (at most 63 characters, starting with a letter)',
      `/metadata/labels/app: "${'x'.repeat(64)}" is not a valid label value (at most 63 characters)`,
      '/spec/ports/0/name: "a-very-long-port-name" is not a valid port name (at most 15 characters)',
    ]);
    expect(errorsOf(deployment({ selector: { matchLabels: { app: 'other' } } }))).toEqual([
      "/spec/selector/matchLabels/app: the pod template's labels do not match the selector",
    ]);
    const statefulSet: K8sObject = { ...deployment({ serviceName: 'hub', volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] }, { volumeMounts: [{ name: 'data', mountPath: '/data' }] }), kind: 'StatefulSet' };
    delete (statefulSet.spec as Record<string, unknown>).strategy;
    expect(errorsOf(statefulSet)).toEqual([]);
    expect(errorsOf({ ...statefulSet, metadata: { name: 'x'.repeat(53) } })).toEqual([
      `/metadata/name: "${'x'.repeat(53)}" is longer than 52 characters: its pods' controller-revision-hash label would exceed 63`,
    ]);
    expect(errorsOf(deployment({}, { volumeMounts: [{ name: 'config', mountPath: '/etc/hub' }] }))).toEqual([
      '/spec/template/spec/containers/0/volumeMounts/0/name: no volume "config" in the pod',
    ]);
  });

  it('validates custom resources against their CRDs (ServiceMonitor, PrometheusRule, HTTPRoute, ScaledObject), strictly', () => {
    const [monitor, rule, route] = parseManifests(`
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: { name: hub, labels: { release: prometheus } }
spec:
  selector: { matchLabels: { app: hub } }
  endpoints: [{ port: http, path: /metrics, interval: 30s }]
---
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata: { name: hub }
spec:
  groups:
    - name: hub
      rules:
        - alert: Down
          expr: up == 0
          for: 5m
          labels: { severity: critical }
          annotations: { summary: "{{ $labels.job }} is down ({{ $value }})" }
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: hub }
spec:
  parentRefs: [{ name: public, namespace: gateways }]
  hostnames: [hub.example.com]
  rules: [{ backendRefs: [{ name: hub, port: 80 }] }]
`);
    expect(schemaErrors([monitor, rule, route])).toEqual([]);
    const badMonitor = structuredClone(monitor) as { spec: { endpoints: Array<Record<string, unknown>> } };
    badMonitor.spec.endpoints[0].intervall = '30s';
    expect(errorsOf(badMonitor as unknown as K8sObject)).toEqual(['/spec/endpoints/0: unknown field "intervall"']);
    const badRule = structuredClone(rule) as { spec: { groups: Array<{ rules: unknown }> } };
    badRule.spec.groups[0].rules = 'up == 0';
    expect(errorsOf(badRule as unknown as K8sObject)).toEqual(['/spec/groups/0/rules: got string, want array']);
    const badRoute = structuredClone(route) as { metadata: Record<string, unknown>; spec: { rules: Array<Record<string, unknown>> } };
    badRoute.spec.rules[0].backendRef = { name: 'hub' };
    badRoute.metadata.annotatons = {};
    expect(errorsOf(badRoute as unknown as K8sObject).sort()).toEqual(['/metadata: unknown field "annotatons"', '/spec/rules/0: unknown field "backendRef"']);
    expect(errorsOf({ ...monitor, apiVersion: 'monitoring.coreos.com/v2' })[0]).toMatch(/^unknown kind: /);
    const [scaledObject] = parseManifests(`
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: { name: hub }
spec:
  scaleTargetRef: { name: hub }
  minReplicaCount: 2
  maxReplicaCount: 15
  triggers: [{ type: prometheus, metadata: { serverAddress: "http://prometheus:9090", query: "sum(rate(x[1m]))", threshold: "10" } }]
`);
    expect(schemaErrors([scaledObject])).toEqual([]);
    expect(errorsOf({ ...scaledObject, spec: { ...(scaledObject.spec as object), maxReplicas: 15 } })).toEqual(['/spec: unknown field "maxReplicas"']);
  });
});

describe('rendered objects are valid Kubernetes objects', () => {
  const renders = new Map<string, K8sObject[] | Error>();
  const sets: Array<[string, () => Promise<K8sObject[]>]> = [
    ['chart: defaults', () => helmTemplateAsync()],
    ...CI_FILES.map((file): [string, () => Promise<K8sObject[]>] => [`chart: ${file.replace(`${CHART_DIR}/`, '')}`, () => helmTemplateAsync({ valuesFiles: [file] })]),
    ...OVERLAYS.map((dir): [string, () => Promise<K8sObject[]>] => [`kustomize: ${dir}`, () => kustomizeBuildAsync(dir)]),
  ];

  beforeAll(async () => {
    await Promise.all(
      sets.map(async ([name, render]) => {
        try {
          renders.set(name, await render());
        } catch (error) {
          renders.set(name, error as Error);
        }
      }),
    );
  }, START_TIMEOUT_MS);

  it('the chart has ci/*-values.yaml files to render', () => {
    expect(CI_FILES.length).toBeGreaterThan(0);
  });

  it.each(sets.map(([name]) => name))('%s', (name) => {
    const objects = renders.get(name);
    if (objects instanceof Error) throw objects;
    expect(objects!.length).toBeGreaterThan(0);
    const errors = schemaErrors(objects!);
    if (errors.length > 0) throw new Error(`${errors.length} schema errors in ${name} (objects: ${list(objects!).join(', ')}):\n${errors.join('\n')}`);
  });
});
