import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { GatewayConfig } from '@llm-connector-hub/config';
import { schemaErrors, type K8sObject } from './support/k8s-schema';
import {
  configFileOf,
  containerOf,
  decodeSecret as decode,
  envOf,
  loadGatewayConfig,
  podEnvironment,
  podLabels,
  podSpec,
  restrictedViolations,
  selects,
  workloads,
  type Container,
  type EnvVar,
} from './support/objects';
import {
  CHART_DIR,
  NAMESPACE,
  RELEASE,
  ciValuesFiles,
  get,
  helmTemplateAsync,
  helmTemplateRunAsync,
  kindOf,
  list,
  maybeOne,
  one,
  type HelmArgs,
  type RunResult,
} from './support/render';
import { START_TIMEOUT_MS } from '../../apps/gateway/test/support/timeouts';

/**
 * Unit tests of the Helm chart over `helm template` output: what each feature renders when it is
 * off (the default for most), on, and overridden. Every values set is rendered once, in parallel,
 * in beforeAll; every render is also checked against the Kubernetes schemas, and the config.yaml of
 * every render is loaded by the gateway's own config loader.
 */

const FULLNAME = `${RELEASE}-llm-connector-hub`;
const FILES = join(CHART_DIR, 'files');
const DASHBOARDS = ['llm-hub-overview.json', 'llm-hub-providers.json'];
const CI_FILES = ciValuesFiles();

/** Every values set this file renders. */
const SETS = {
  defaults: {},
  noAutoscaling: { values: { autoscaling: { enabled: false }, replicaCount: 3 } },
  minReplicas4: { values: { capacity: { minReplicas: 4 } } },
  cpuLimit: { values: { resources: { limits: { cpu: '1500m', memory: '1Gi' } } } },
  noLimits: { values: { resources: { limits: { memory: null } } } },
  drain: { values: { config: { server: { drainTimeoutMs: 45500 } }, lifecycle: { preStopSeconds: 7 } } },
  drainZero: { values: { config: { server: { drainTimeoutMs: 0 } } } },
  // Values files make every number a float64, which Go templates print as 1.2e+06 unless converted.
  drainLarge: { values: { config: { server: { drainTimeoutMs: 1200000 } } } },
  drainLargeSet: { set: { 'config.server.drainTimeoutMs': 1200000 } },
  otherConfig: { values: { config: { server: { logLevel: 'debug', headersTimeoutMs: 10000, requestTimeoutMs: 20000, maxConnections: 5000, listenBacklog: 1024 }, upstream: { maxResponseBytes: 33554432 } } } },
  otherService: { values: { service: { port: 8080 } } },
  noProbes: { values: { startupProbe: { enabled: false }, livenessProbe: { enabled: false }, readinessProbe: { enabled: false } } },
  providerKeys: {
    values: {
      providers: { apiKeys: { OPENAI_API_KEY: 'sk-test-openai-1234', GROQ_API_KEY: 'gsk-test-groq-5678' } },
      config: { providers: { groq: { type: 'openai-compatible', baseUrl: 'https://api.groq.com/openai/v1', apiKey: '${GROQ_API_KEY}' } } },
    },
  },
  providerSecret: {
    values: {
      providers: { existingSecret: 'llm-provider-keys' },
      config: { providers: { groq: { type: 'openai-compatible', baseUrl: 'https://api.groq.com/openai/v1', apiKey: '${GROQ_API_KEY}' } } },
    },
  },
  authKeys: { values: { auth: { apiKeys: ['gw-key-one', 'gw-key-two'] } } },
  authSecret: { values: { auth: { existingSecret: 'gateway-keys', existingSecretKey: 'keys' } } },
  pdbMaxUnavailable: { values: { podDisruptionBudget: { maxUnavailable: '25%' } } },
  pdbOff: { values: { podDisruptionBudget: { enabled: false } } },
  monitoring: {
    values: {
      metrics: {
        serviceMonitor: { enabled: true, labels: { release: 'kube-prometheus-stack' } },
        prometheusRule: { enabled: true, labels: { release: 'kube-prometheus-stack' } },
      },
    },
  },
  monitoringOff: { values: { metrics: { dashboards: { enabled: false }, prometheusAdapter: { enabled: false } } } },
  metricsToken: {
    values: { metrics: { port: 9100, token: { existingSecret: 'metrics-token', existingSecretKey: 'bearer' }, serviceMonitor: { enabled: true } }, networkPolicy: { enabled: true } },
  },
  metricsOff: { values: { config: { observability: { metrics: { enabled: false } } }, metrics: { serviceMonitor: { enabled: true } }, networkPolicy: { enabled: true } } },
  noRequestRate: { values: { autoscaling: { requestRateMetric: { enabled: false } } } },
  keda: { values: { autoscaling: { engine: 'keda', keda: { prometheus: { serverAddress: 'http://prometheus.monitoring.svc:9090' } } } } },
  kedaTuned: {
    values: {
      capacity: { peakRps: 1000, targetRpsPerInstance: 300, safetyFactor: 1.2, minReplicas: 3 },
      autoscaling: {
        engine: 'keda',
        targetCPUUtilizationPercentage: 80,
        keda: { pollingInterval: 10, prometheus: { serverAddress: 'https://prometheus.example:9091', rateWindow: '1m' } },
        behavior: { scaleDown: { stabilizationWindowSeconds: 60, policies: [{ type: 'Pods', value: 1, periodSeconds: 30 }] } },
      },
    },
  },
  kedaCpuOnly: { values: { autoscaling: { engine: 'keda', requestRateMetric: { enabled: false } } } },
  networkPolicy: {
    values: {
      networkPolicy: {
        enabled: true,
        ingress: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'apps' } } },
        egress: { providerExceptCIDRs: ['169.254.169.254/32'] },
      },
    },
  },
  networkPolicyRedis: { values: { networkPolicy: { enabled: true }, redis: { mode: 'bundled' } } },
  ingress: {
    values: { ingress: { enabled: true, className: 'nginx', hosts: [{ host: 'llm.example.org', paths: [{ path: '/', pathType: 'Prefix' }] }], tls: [{ secretName: 'llm-tls', hosts: ['llm.example.org'] }] } },
  },
  httpRoute: { values: { httpRoute: { enabled: true, parentRefs: [{ name: 'public', namespace: 'gateways', sectionName: 'https' }], hostnames: ['llm.example.org'] } } },
  redisExternal: { values: { redis: { mode: 'external', external: { nodes: ['redis-0.example:6379', 'redis-1.example:6379'], existingSecret: 'redis-auth', passwordKey: 'pw', tls: true } } } },
  redisExternalNoPassword: { values: { redis: { mode: 'external', external: { nodes: ['redis.example:6379'] } } } },
  redisBundled: { values: { redis: { mode: 'bundled' } } },
  // The longest release name Helm allows (53), to hit every 63-character limit (names are truncated; the bundled
  // Redis StatefulSet must stay within 52 for its pods' controller-revision-hash label).
  longName: { releaseName: 'a-release-name-that-is-as-long-as-helm-allows-53chars', valuesFiles: ['ci/full-values.yaml'] },
  redisBundledEphemeral: { values: { redis: { mode: 'bundled', bundled: { persistence: { enabled: false }, podDisruptionBudget: { enabled: false } } } } },
} satisfies Record<string, HelmArgs>;

type SetName = keyof typeof SETS;

/** Values that must make `helm template` fail, and what its message must say. */
const FAILS: Array<[string, HelmArgs, RegExp]> = [
  ['a literal provider key in config', { values: { config: { providers: { groq: { type: 'openai-compatible', baseUrl: 'https://x.example/v1', apiKey: 'sk-literal' } } } } }, /apiKey/],
  ['gateway keys in config', { values: { config: { auth: { apiKeys: ['k'] } } } }, /auth\.apiKeys/],
  ['a literal Redis password in config', { values: { config: { cache: { redis: { password: 'hunter2' } } } } }, /password/],
  ['providers.existingSecret and providers.apiKeys', { values: { providers: { existingSecret: 's', apiKeys: { OPENAI_API_KEY: 'k' } } } }, /providers\.existingSecret|providers\.apiKeys/],
  ['auth.existingSecret and auth.apiKeys', { values: { auth: { existingSecret: 's', apiKeys: ['k'] } } }, /auth\.existingSecret|auth\.apiKeys/],
  ['redis external without nodes', { values: { redis: { mode: 'external' } } }, /redis\.external\.nodes|nodes/],
  ['an unknown redis mode', { values: { redis: { mode: 'sentinel' } } }, /mode/],
  ['a misspelled top-level value', { values: { replicaCont: 3 } }, /replicaCont/],
  ['the API port as metrics port', { values: { metrics: { port: 3000 } } }, /metrics\.port must not be 3000/],
  ['the keda engine without a Prometheus address', { values: { autoscaling: { engine: 'keda' } } }, /autoscaling\.keda\.prometheus\.serverAddress is required/],
  ['the keda engine without metrics', { values: { autoscaling: { engine: 'keda', keda: { prometheus: { serverAddress: 'http://p:9090' } } }, config: { observability: { metrics: { enabled: false } } } } }, /config\.observability\.metrics\.enabled/],
  ['an unknown autoscaling engine', { values: { autoscaling: { engine: 'prometheus-adapter' } } }, /engine/],
  ['a rate window that is not a Prometheus duration', { values: { autoscaling: { engine: 'keda', keda: { prometheus: { serverAddress: 'http://p:9090', rateWindow: '2 minutes' } } } } }, /rateWindow/],
  ['a literal metrics token in config', { values: { config: { observability: { metrics: { token: 'scrape-me' } } } } }, /metrics\.token\.existingSecret/],
];

const renders = new Map<string, K8sObject[] | Error>();
const ciRenders = new Map<string, K8sObject[] | Error>();
const failures = new Map<string, RunResult>();

beforeAll(async () => {
  await Promise.all([
    ...Object.entries(SETS).map(async ([name, args]) => {
      try {
        renders.set(name, await helmTemplateAsync(args));
      } catch (error) {
        renders.set(name, error as Error);
      }
    }),
    ...CI_FILES.map(async (file) => {
      try {
        ciRenders.set(file, await helmTemplateAsync({ valuesFiles: [file] }));
      } catch (error) {
        ciRenders.set(file, error as Error);
      }
    }),
    ...FAILS.map(async ([name, args]) => failures.set(name, await helmTemplateRunAsync(args))),
  ]);
}, START_TIMEOUT_MS);

function render(name: SetName): K8sObject[] {
  const objects = renders.get(name);
  if (objects instanceof Error) throw objects;
  if (!objects) throw new Error(`no render for ${name}`);
  return objects;
}

// ------------------------------------------------------------------------------------ lookups

/** The gateway's Deployment (the chart's only one; named FULLNAME with release `hub`). */
function gateway(objects: K8sObject[]): K8sObject {
  return one(objects, 'Deployment');
}

function container(objects: K8sObject[]): Container {
  return containerOf(gateway(objects), 'gateway');
}

function env(objects: K8sObject[]): Map<string, EnvVar> {
  return envOf(container(objects));
}

function podAnnotations(objects: K8sObject[]): Record<string, string> {
  return (get(gateway(objects), 'spec.template.metadata.annotations') ?? {});
}

function configMap(objects: K8sObject[]): K8sObject {
  return one(objects, 'ConfigMap', FULLNAME);
}

function config(objects: K8sObject[]): Record<string, unknown> {
  return parseYaml((configMap(objects).data as Record<string, string>)['config.yaml']) as Record<string, unknown>;
}

function hpa(objects: K8sObject[]): K8sObject | undefined {
  return maybeOne(objects, 'HorizontalPodAutoscaler');
}

/** The gateway's loadConfig on the rendered config.yaml, with the environment of its container. */
function loadRenderedConfig(objects: K8sObject[]): GatewayConfig {
  const file = configFileOf(objects, gateway(objects));
  expect(file.path).toBe('/etc/llm-connector-hub/config.yaml');
  expect(file.configMap.metadata?.name).toBe(gateway(objects).metadata?.name);
  expect(podEnvironment(objects, gateway(objects), file.text).LLM_HUB_CONFIG).toBe(file.path);
  return loadGatewayConfig(objects, gateway(objects));
}

/**
 * References from pods to objects named like the chart's own (`<fullname>...`) that the render
 * does not contain. Names given in values (existingSecret) are the user's to create.
 */
function danglingReferences(objects: K8sObject[]): string[] {
  const prefix = String(gateway(objects).metadata?.name).slice(0, 40);
  const have = new Set(objects.map((o) => `${String(o.kind)}/${String(o.metadata?.name)}`));
  const missing: string[] = [];
  const need = (where: string, kind: string, ref: unknown) => {
    if (typeof ref === 'string' && ref.startsWith(prefix) && !have.has(`${kind}/${ref}`)) missing.push(`${where} -> ${kind}/${ref}`);
  };
  for (const workload of workloads(objects)) {
    const where = `${String(workload.kind)}/${String(workload.metadata?.name)}`;
    const spec = podSpec(workload);
    need(where, 'ServiceAccount', spec.serviceAccountName);
    for (const volume of spec.volumes ?? []) {
      need(where, 'ConfigMap', get(volume, 'configMap.name'));
      need(where, 'Secret', get(volume, 'secret.secretName'));
      need(where, 'PersistentVolumeClaim', get(volume, 'persistentVolumeClaim.claimName'));
    }
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
      for (const from of c.envFrom ?? []) {
        need(where, 'ConfigMap', from.configMapRef?.name);
        need(where, 'Secret', from.secretRef?.name);
      }
      for (const e of c.env ?? []) {
        need(where, 'ConfigMap', get(e, 'valueFrom.configMapKeyRef.name'));
        need(where, 'Secret', get(e, 'valueFrom.secretKeyRef.name'));
        // The key must be in the Secret when the chart makes it.
        const secretName = get<string | undefined>(e, 'valueFrom.secretKeyRef.name');
        const secret = secretName ? maybeOne(objects, 'Secret', secretName) : undefined;
        const key = get<string | undefined>(e, 'valueFrom.secretKeyRef.key');
        if (secret && key && !(key in decode(secret))) missing.push(`${where} env ${e.name} -> key ${key} of Secret/${secretName}`);
      }
    }
  }
  for (const service of kindOf(objects, 'Service')) {
    const selector = get<Record<string, string> | undefined>(service, 'spec.selector');
    if (selector && !workloads(objects).some((w) => selects(selector, podLabels(w)))) missing.push(`Service/${String(service.metadata?.name)} selects no pods`);
  }
  return missing;
}

// -------------------------------------------------------------------------------------- specs

describe('every render of this file', () => {
  it.each(Object.keys(SETS))('%s: renders, and its objects are valid Kubernetes objects', (name) => {
    const objects = render(name as SetName);
    const errors = schemaErrors(objects);
    if (errors.length > 0) throw new Error(`${errors.length} schema errors (objects: ${list(objects).join(', ')}):\n${errors.join('\n')}`);
  });

  it.each(Object.keys(SETS))('%s: every pod meets the restricted Pod Security Standard', (name) => {
    expect(workloads(render(name as SetName)).flatMap(restrictedViolations)).toEqual([]);
  });

  it.each(Object.keys(SETS))('%s: every ConfigMap, Secret, ServiceAccount and PVC a pod refers to by a chart-made name is rendered', (name) => {
    const objects = render(name as SetName);
    expect(danglingReferences(objects)).toEqual([]);
  });

  it.each(Object.keys(SETS))('%s: every namespaced object is in the release namespace', (name) => {
    const objects = render(name as SetName);
    const dashboards = (o: K8sObject) => o.kind === 'ConfigMap' && (o.metadata?.labels as Record<string, string> | undefined)?.grafana_dashboard !== undefined;
    const elsewhere = objects.filter((o) => o.metadata?.namespace !== undefined && o.metadata.namespace !== NAMESPACE && !dashboards(o));
    // The dashboards may go to another namespace on purpose (metrics.dashboards.namespace); not set here.
    expect(list(elsewhere)).toEqual([]);
  });
});

describe('what the defaults render', () => {
  it('the expected objects, nothing that needs a CRD or an opt-in', () => {
    const kinds = render('defaults').map((o) => o.kind).sort();
    expect(kinds).toEqual(expect.arrayContaining(['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Service', 'ServiceAccount', 'Pod']));
    for (const kind of ['ServiceMonitor', 'PrometheusRule', 'NetworkPolicy', 'Ingress', 'HTTPRoute', 'StatefulSet', 'Job', 'Secret']) {
      expect({ kind, found: list(kindOf(render('defaults'), kind)) }).toEqual({ kind, found: [] });
    }
  });
});

describe('Deployment', () => {
  it('runs as non-root with a read-only root filesystem, no capabilities and the RuntimeDefault seccomp profile', () => {
    const objects = render('defaults');
    const spec = podSpec(gateway(objects));
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container(objects).securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(spec.automountServiceAccountToken).toBe(false);
    // A read-only root needs a writable /tmp.
    const tmp = container(objects).volumeMounts?.find((m) => m.mountPath === '/tmp');
    expect(tmp).toBeDefined();
    expect(spec.volumes?.find((v) => v.name === tmp!.name)).toMatchObject({ emptyDir: expect.any(Object) });
  });

  it('probes: startup and liveness on /health/live, readiness on /health/ready, on the http port (3000)', () => {
    const c = container(render('defaults'));
    expect(c.ports).toEqual([expect.objectContaining({ name: 'http', containerPort: 3000 }), expect.objectContaining({ name: 'metrics', containerPort: 9464 })]);
    expect(get(c, 'startupProbe.httpGet')).toEqual({ path: '/health/live', port: 'http' });
    expect(get(c, 'livenessProbe.httpGet')).toEqual({ path: '/health/live', port: 'http' });
    expect(get(c, 'readinessProbe.httpGet')).toEqual({ path: '/health/ready', port: 'http' });
    expect(get(c, 'livenessProbe.periodSeconds')).toBe(10);
    expect(get(c, 'readinessProbe.periodSeconds')).toBe(5);
    expect(get(c, 'startupProbe.failureThreshold')).toBe(30);
    const off = container(render('noProbes'));
    expect([off.startupProbe, off.livenessProbe, off.readinessProbe]).toEqual([undefined, undefined, undefined]);
  });

  it('preStop sleeps, and terminationGracePeriodSeconds = preStopSeconds + ceil(drainTimeoutMs / 1000) + 10', () => {
    const grace = (name: SetName) => get(podSpec(gateway(render(name))), 'terminationGracePeriodSeconds');
    // The kubelet's sleep action, not an exec: the image has no `sleep` binary.
    const preStop = (name: SetName) => get(container(render(name)), 'lifecycle.preStop');
    expect(preStop('defaults')).toEqual({ sleep: { seconds: 5 } });
    expect(grace('defaults')).toBe(5 + 30 + 10);
    expect(preStop('drain')).toEqual({ sleep: { seconds: 7 } });
    expect(grace('drain')).toBe(7 + 46 + 10);
    expect(grace('drainZero')).toBe(5 + 0 + 10);
    expect(grace('drainLarge')).toBe(5 + 1200 + 10);
    expect(grace('drainLargeSet')).toBe(5 + 1200 + 10);
    expect(loadRenderedConfig(render('drainLarge')).server.drainTimeoutMs).toBe(1200000);
    // The drain the pod is given is the drain the gateway does.
    expect(loadRenderedConfig(render('drain')).server.drainTimeoutMs).toBe(45500);
  });

  it('checksum/config changes when the config changes, and only then', () => {
    const checksum = (name: SetName) => podAnnotations(render(name))['checksum/config'];
    expect(checksum('defaults')).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum('otherConfig')).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum('otherConfig')).not.toBe(checksum('defaults'));
    expect(checksum('drain')).not.toBe(checksum('defaults'));
    expect(checksum('otherService')).toBe(checksum('defaults'));
  });

  it('env: HOST 0.0.0.0, PORT 3000, LLM_HUB_CONFIG = the mounted ConfigMap key', () => {
    const objects = render('defaults');
    const vars = env(objects);
    expect(vars.get('HOST')?.value).toBe('0.0.0.0');
    expect(vars.get('PORT')?.value).toBe('3000');
    const file = vars.get('LLM_HUB_CONFIG')?.value;
    expect(file).toBe('/etc/llm-connector-hub/config.yaml');
    const mount = container(objects).volumeMounts!.find((m) => file!.startsWith(`${m.mountPath}/`))!;
    expect(mount).toMatchObject({ readOnly: true });
    const volume = podSpec(gateway(objects)).volumes!.find((v) => v.name === mount.name)!;
    expect(get(volume, 'configMap.name')).toBe(FULLNAME);
    expect(Object.keys(configMap(objects).data as object)).toContain(file!.slice(mount.mountPath.length + 1));
  });

  it('memory limit env only with a memory limit, CPU limit env only with a CPU limit (Downward API)', () => {
    const defaults = env(render('defaults'));
    expect(defaults.get('LLM_HUB_MEMORY_LIMIT_BYTES')?.valueFrom?.resourceFieldRef).toMatchObject({ containerName: 'gateway', resource: 'limits.memory' });
    expect(defaults.has('LLM_HUB_CPU_LIMIT_MILLICORES')).toBe(false);
    expect(defaults.has('LLM_HUB_CPU_LIMIT_CORES')).toBe(false);
    expect(get(container(render('defaults')), 'resources.limits.cpu')).toBeUndefined();

    const cpu = env(render('cpuLimit'));
    expect(cpu.get('LLM_HUB_CPU_LIMIT_MILLICORES')?.valueFrom?.resourceFieldRef).toMatchObject({ containerName: 'gateway', resource: 'limits.cpu', divisor: '1m' });
    expect(cpu.has('LLM_HUB_MEMORY_LIMIT_BYTES')).toBe(true);

    const none = env(render('noLimits'));
    expect(get(container(render('noLimits')), 'resources.limits.memory')).toBeUndefined();
    expect(none.has('LLM_HUB_MEMORY_LIMIT_BYTES')).toBe(false);
    expect(none.has('LLM_HUB_CPU_LIMIT_MILLICORES')).toBe(false);
  });

  it('replicas: replicaCount without an HPA; with one, minReplicas when the release is new (`helm install --wait` then waits for all of them)', () => {
    // Outside a cluster `lookup` finds no Deployment: what an install renders. On upgrade the chart
    // renders the live count (chart-install.spec.ts, in the cluster).
    expect(get(gateway(render('defaults')), 'spec.replicas')).toBe(2);
    expect(get(gateway(render('minReplicas4')), 'spec.replicas')).toBe(4);
    expect(get(gateway(render('noAutoscaling')), 'spec.replicas')).toBe(3);
  });

  it('the Service selects the gateway pods and nothing else (not the bundled Redis, not the test pod)', () => {
    const objects = render('redisBundled');
    for (const service of [one(objects, 'Service', FULLNAME), one(objects, 'Service', `${FULLNAME}-metrics`)]) {
      const selector = get<Record<string, string>>(service, 'spec.selector');
      expect(selects(selector, get(gateway(objects), 'spec.template.metadata.labels'))).toBe(true);
      for (const other of workloads(objects).filter((w) => w !== gateway(objects))) {
        expect({ workload: `${String(other.kind)}/${String(other.metadata?.name)}`, selected: selects(selector, podLabels(other)) }).toMatchObject({ selected: false });
      }
    }
    // The API Service never carries the metrics port.
    expect(get(one(objects, 'Service', FULLNAME), 'spec.ports')).toEqual([expect.objectContaining({ name: 'http', port: 80, targetPort: 'http' })]);
  });
});

describe('metrics port', () => {
  it('a container port and a Service of its own, passed as LLM_HUB_METRICS_PORT; the API Service has none', () => {
    for (const [name, port] of [['defaults', 9464], ['metricsToken', 9100]] as const) {
      const objects = render(name);
      expect(container(objects).ports).toContainEqual(expect.objectContaining({ name: 'metrics', containerPort: port }));
      expect(env(objects).get('LLM_HUB_METRICS_PORT')?.value).toBe(String(port));
      expect(get(one(objects, 'Service', `${FULLNAME}-metrics`), 'spec.ports')).toEqual([expect.objectContaining({ name: 'metrics', port, targetPort: 'metrics' })]);
      expect(JSON.stringify(get(one(objects, 'Service', FULLNAME), 'spec.ports'))).not.toContain('metrics');
      // The gateway, as it runs in the pod, listens for metrics where the chart says.
      expect(loadRenderedConfig(objects).observability.metrics).toMatchObject({ enabled: true, port });
    }
  });

  it('no token by default; with metrics.token the gateway and the ServiceMonitor read the same Secret', () => {
    expect(env(render('defaults')).has('LLM_HUB_METRICS_TOKEN')).toBe(false);
    const objects = render('metricsToken');
    expect(env(objects).get('LLM_HUB_METRICS_TOKEN')?.valueFrom).toEqual({ secretKeyRef: { name: 'metrics-token', key: 'bearer' } });
    const endpoint = get<Record<string, unknown>>(one(objects, 'ServiceMonitor'), 'spec.endpoints.0');
    expect(endpoint).toMatchObject({ port: 'metrics', authorization: { type: 'Bearer', credentials: { name: 'metrics-token', key: 'bearer' } } });
    expect(get(one(render('monitoring'), 'ServiceMonitor'), 'spec.endpoints.0.authorization')).toBeUndefined();
  });

  it('metrics off: no metrics port, Service, env, ServiceMonitor or NetworkPolicy rule', () => {
    const objects = render('metricsOff');
    expect(container(objects).ports).toEqual([expect.objectContaining({ name: 'http' })]);
    expect(env(objects).has('LLM_HUB_METRICS_PORT')).toBe(false);
    expect(maybeOne(objects, 'Service', `${FULLNAME}-metrics`)).toBeUndefined();
    expect(list(kindOf(objects, 'ServiceMonitor'))).toEqual([]);
    expect(JSON.stringify(get(one(objects, 'NetworkPolicy', FULLNAME), 'spec.ingress'))).not.toContain('metrics');
    expect(loadRenderedConfig(objects).observability.metrics.enabled).toBe(false);
  });
});

describe('config.yaml and secrets', () => {
  it('the defaults config is accepted by the gateway as it runs in the pod (0.0.0.0:3000, memory cache)', () => {
    const loaded = loadRenderedConfig(render('defaults'));
    expect(loaded.server).toMatchObject({ host: '0.0.0.0', port: 3000, drainTimeoutMs: 30000 });
    expect(loaded.cache.type).toBe('memory');
    expect(loaded.observability.metrics.enabled).toBe(true);
  });

  it.each(Object.keys(SETS))('%s: config.yaml is accepted by loadConfig with the pod environment', (name) => {
    expect(() => loadRenderedConfig(render(name as SetName))).not.toThrow();
  });

  const ciNames = CI_FILES.length > 0 ? CI_FILES.map((f) => f.replace(`${CHART_DIR}/`, '')) : ['(no ci/*-values.yaml)'];
  it.each(ciNames)('%s: config.yaml is accepted by loadConfig with the pod environment', (file) => {
    if (CI_FILES.length === 0) throw new Error('the chart has no ci/*-values.yaml files');
    const objects = ciRenders.get(join(CHART_DIR, file));
    if (objects instanceof Error) throw objects;
    expect(() => loadRenderedConfig(objects!)).not.toThrow();
  });

  it('provider keys go to a chart-made Secret (envFrom), never to the ConfigMap; config refers to them as ${VAR}', () => {
    const objects = render('providerKeys');
    const secret = one(objects, 'Secret', `${FULLNAME}-providers`);
    expect(decode(secret)).toEqual({ OPENAI_API_KEY: 'sk-test-openai-1234', GROQ_API_KEY: 'gsk-test-groq-5678' });
    expect(container(objects).envFrom).toEqual([{ secretRef: { name: `${FULLNAME}-providers` } }]);
    const cm = JSON.stringify(configMap(objects));
    expect(cm).not.toContain('sk-test-openai-1234');
    expect(cm).not.toContain('gsk-test-groq-5678');
    expect(get(config(objects), 'providers.groq.apiKey')).toBe('${GROQ_API_KEY}');
    expect(podAnnotations(objects)['checksum/secret']).toMatch(/^[0-9a-f]{64}$/);
    const loaded = loadRenderedConfig(objects);
    expect(loaded.providers.groq).toMatchObject({ type: 'openai-compatible', apiKey: 'gsk-test-groq-5678' });
    expect(loaded.providers.openai).toMatchObject({ type: 'openai', apiKey: 'sk-test-openai-1234' });
  });

  it('providers.existingSecret: envFrom that Secret, no chart-made Secret, no checksum/secret', () => {
    const objects = render('providerSecret');
    expect(container(objects).envFrom).toEqual([{ secretRef: { name: 'llm-provider-keys' } }]);
    expect(list(kindOf(objects, 'Secret'))).toEqual([]);
    expect(podAnnotations(objects)['checksum/secret']).toBeUndefined();
  });

  it('no provider keys at all: no envFrom, no Secret', () => {
    const objects = render('defaults');
    expect(container(objects).envFrom).toBeUndefined();
    expect(podAnnotations(objects)['checksum/secret']).toBeUndefined();
  });

  it('gateway keys: a chart-made Secret read as LLM_HUB_API_KEYS, or an existing Secret and key', () => {
    const objects = render('authKeys');
    const secret = one(objects, 'Secret', `${FULLNAME}-auth`);
    expect(decode(secret)).toEqual({ 'api-keys': 'gw-key-one,gw-key-two' });
    expect(env(objects).get('LLM_HUB_API_KEYS')?.valueFrom).toEqual({ secretKeyRef: { name: `${FULLNAME}-auth`, key: 'api-keys' } });
    expect(JSON.stringify(configMap(objects))).not.toContain('gw-key-one');
    expect(loadRenderedConfig(objects).auth.apiKeys).toEqual(['gw-key-one', 'gw-key-two']);

    const existing = render('authSecret');
    expect(env(existing).get('LLM_HUB_API_KEYS')?.valueFrom).toEqual({ secretKeyRef: { name: 'gateway-keys', key: 'keys' } });
    expect(list(kindOf(existing, 'Secret'))).toEqual([]);
    expect(env(render('defaults')).has('LLM_HUB_API_KEYS')).toBe(false);
  });

  it.each(FAILS.map(([name, , message]) => [name, message] as const))('refuses %s with a clear message', (name, message) => {
    const out = failures.get(name)!;
    expect(out.code === 0 ? 'rendered' : 'failed').toBe('failed');
    expect(out.stderr).toMatch(message);
  });
});

describe('HorizontalPodAutoscaler', () => {
  it('on by default: targets the Deployment, request rate per pod and CPU, with the capacity plan', () => {
    const objects = render('defaults');
    const h = hpa(objects)!;
    expect(h.spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: FULLNAME },
      minReplicas: 2,
      maxReplicas: 15,
    });
    const metrics = get<Array<Record<string, unknown>>>(h, 'spec.metrics');
    expect(metrics).toContainEqual({ type: 'Pods', pods: { metric: { name: 'llm_hub_requests_per_second' }, target: { type: 'AverageValue', averageValue: '333334m' } } });
    expect(metrics).toContainEqual({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } });
    expect(get(h, 'spec.behavior.scaleDown.stabilizationWindowSeconds')).toBe(300);
    expect(get(h, 'spec.behavior.scaleUp.stabilizationWindowSeconds')).toBe(0);
  });

  it('without the request-rate metric: CPU only', () => {
    const metrics = get<Array<{ type: string }>>(hpa(render('noRequestRate')), 'spec.metrics');
    expect(metrics.map((m) => m.type)).toEqual(['Resource']);
  });

  it('off: no HPA, and the Deployment has replicas', () => {
    expect(hpa(render('noAutoscaling'))).toBeUndefined();
    expect(get(gateway(render('noAutoscaling')), 'spec.replicas')).toBe(3);
  });
});

describe('KEDA ScaledObject (autoscaling.engine=keda)', () => {
  const scaledObject = (objects: K8sObject[]) => one(objects, 'ScaledObject', FULLNAME);
  type Trigger = { type: string; name: string; metricType: string; metadata: Record<string, string> };
  const triggers = (objects: K8sObject[]) => get<Trigger[]>(scaledObject(objects), 'spec.triggers');

  it('replaces the HPA: the same Deployment, bounds, behavior and CPU target, in an HPA KEDA names like the plain one', () => {
    const objects = render('keda');
    expect(hpa(objects)).toBeUndefined();
    expect(kindOf(render('defaults'), 'ScaledObject')).toEqual([]);
    const plain = hpa(render('defaults'))!;
    const so = scaledObject(objects);
    expect(so.apiVersion).toBe('keda.sh/v1alpha1');
    expect(so.metadata?.annotations).toEqual(plain.metadata?.annotations);
    expect(so.spec).toMatchObject({
      scaleTargetRef: get(plain, 'spec.scaleTargetRef'),
      minReplicaCount: get(plain, 'spec.minReplicas'),
      maxReplicaCount: get(plain, 'spec.maxReplicas'),
      pollingInterval: 30,
      advanced: { horizontalPodAutoscalerConfig: { name: FULLNAME, behavior: get(plain, 'spec.behavior') } },
    });
    expect(triggers(objects).find((t) => t.type === 'cpu')).toEqual({ type: 'cpu', name: 'cpu', metricType: 'Utilization', metadata: { value: '70' } });
    // As with the plain HPA: minReplicas on install (the live count on upgrade), then the HPA KEDA makes owns it.
    expect(get(gateway(objects), 'spec.replicas')).toBe(get(plain, 'spec.minReplicas'));
  });

  it("the request rate: a Prometheus trigger over the release's metrics Service, per pod (AverageValue), at the plan's target", () => {
    const objects = render('keda');
    const prometheus = triggers(objects).find((t) => t.type === 'prometheus')!;
    expect(prometheus).toMatchObject({ metricType: 'AverageValue', metadata: { serverAddress: 'http://prometheus.monitoring.svc:9090', threshold: '333.334' } });
    // The HPA engine's target (333334m), in requests/s.
    const averageValue = get<Array<Record<string, unknown>>>(hpa(render('defaults')), 'spec.metrics').map((m) => get<string | undefined>(m, 'pods.target.averageValue')).find(Boolean)!;
    expect(`${Number(prometheus.metadata.threshold) * 1000}m`).toBe(averageValue);
    const metricsService = one(objects, 'Service', `${FULLNAME}-metrics`);
    expect(prometheus.metadata.query).toBe(`sum(rate(llm_hub_requests_total{namespace="${NAMESPACE}",service="${String(metricsService.metadata?.name)}"}[2m]))`);
  });

  it('takes the capacity plan, polling interval, rate window, CPU target and behavior from values', () => {
    const objects = render('kedaTuned');
    expect(scaledObject(objects).spec).toMatchObject({
      pollingInterval: 10,
      minReplicaCount: 3,
      maxReplicaCount: 4,
      advanced: { horizontalPodAutoscalerConfig: { behavior: { scaleDown: { stabilizationWindowSeconds: 60, policies: [{ type: 'Pods', value: 1, periodSeconds: 30 }] } } } },
    });
    const byType = Object.fromEntries(triggers(objects).map((t) => [t.type, t.metadata]));
    expect(byType.prometheus).toMatchObject({ serverAddress: 'https://prometheus.example:9091', threshold: '250.000' });
    expect(byType.prometheus.query).toMatch(/\[1m\]\)\)$/);
    expect(byType.cpu).toEqual({ value: '80' });
  });

  it('without the request-rate metric: the CPU trigger only, and no Prometheus address needed', () => {
    expect(triggers(render('kedaCpuOnly')).map((t) => t.type)).toEqual(['cpu']);
  });
});

describe('PodDisruptionBudget', () => {
  it('on by default: minAvailable 1 over the gateway pods, unhealthy pods always evictable', () => {
    const objects = render('defaults');
    const pdb = one(objects, 'PodDisruptionBudget', FULLNAME);
    expect(pdb.spec).toEqual({
      minAvailable: 1,
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
      selector: { matchLabels: get(gateway(objects), 'spec.selector.matchLabels') },
    });
  });

  it('maxUnavailable replaces minAvailable; disabled renders none', () => {
    const pdb = one(render('pdbMaxUnavailable'), 'PodDisruptionBudget', FULLNAME);
    expect(get(pdb, 'spec.maxUnavailable')).toBe('25%');
    expect(get(pdb, 'spec.minAvailable')).toBeUndefined();
    expect(list(kindOf(render('pdbOff'), 'PodDisruptionBudget'))).toEqual([]);
  });
});

describe('monitoring', () => {
  it('ServiceMonitor and PrometheusRule off by default; on: with the given labels', () => {
    expect(list(kindOf(render('defaults'), 'ServiceMonitor'))).toEqual([]);
    expect(list(kindOf(render('defaults'), 'PrometheusRule'))).toEqual([]);
    const objects = render('monitoring');
    const monitor = one(objects, 'ServiceMonitor');
    expect(monitor.metadata?.labels).toMatchObject({ release: 'kube-prometheus-stack' });
    expect(get(monitor, 'spec.endpoints')).toEqual([expect.objectContaining({ port: 'metrics', path: '/metrics', interval: '15s', scrapeTimeout: '10s' })]);
    // It scrapes the metrics Service, which has the port, and not the API Service, which must not.
    const selector = get<Record<string, string>>(monitor, 'spec.selector.matchLabels');
    const selected = kindOf(objects, 'Service').filter((service) => selects(selector, service.metadata?.labels as Record<string, string>));
    expect(list(selected)).toEqual([`Service/${FULLNAME}-metrics`]);
    expect(get(selected[0], 'spec.ports')).toEqual([expect.objectContaining({ name: 'metrics' })]);
    expect(one(objects, 'PrometheusRule').metadata?.labels).toMatchObject({ release: 'kube-prometheus-stack' });
  });

  it('PrometheusRule groups are exactly files/prometheus/alerts.yaml (templates such as {{ $value }} survive literally)', () => {
    const alerts = parseYaml(readFileSync(join(FILES, 'prometheus/alerts.yaml'), 'utf8')) as { groups: unknown[] };
    const rule = one(render('monitoring'), 'PrometheusRule');
    expect(get(rule, 'spec.groups')).toEqual(alerts.groups);
    expect(JSON.stringify(get(rule, 'spec.groups'))).toContain('{{ $value | humanizePercentage }}');
    expect(JSON.stringify(get(rule, 'spec.groups'))).toContain('{{ $labels.job }}');
  });

  it('dashboards: one ConfigMap per JSON file, byte for byte, with the Grafana sidecar label and folder; off renders none', () => {
    const objects = render('defaults');
    const dashboards = kindOf(objects, 'ConfigMap').filter((cm) => cm.metadata?.labels && (cm.metadata.labels as Record<string, string>).grafana_dashboard === '1');
    expect(dashboards).toHaveLength(DASHBOARDS.length);
    for (const file of DASHBOARDS) {
      const expected = readFileSync(join(FILES, 'dashboards', file), 'utf8');
      const holder = dashboards.find((cm) => Object.keys(cm.data as object).includes(file));
      expect({ file, found: holder !== undefined }).toEqual({ file, found: true });
      expect((holder!.data as Record<string, string>)[file]).toBe(expected);
      expect(holder!.metadata?.annotations).toMatchObject({ grafana_folder: 'LLM Connector Hub' });
    }
    const off = render('monitoringOff');
    expect(kindOf(off, 'ConfigMap').filter((cm) => JSON.stringify(cm.data ?? {}).includes('"panels"'))).toEqual([]);
  });

  it('prometheus-adapter rule ConfigMap on by default (llm_hub_requests_total → llm_hub_requests_per_second), off when disabled', () => {
    const adapter = one(render('defaults'), 'ConfigMap', `${FULLNAME}-prometheus-adapter`);
    const text = Object.values(adapter.data as Record<string, string>).join('\n');
    expect(text).toContain('llm_hub_requests_total');
    expect(text).toContain('llm_hub_requests_per_second');
    const rules = parseYaml(Object.values(adapter.data as Record<string, string>)[0]) as unknown;
    expect(rules).toBeTruthy();
    expect(maybeOne(render('monitoringOff'), 'ConfigMap', `${FULLNAME}-prometheus-adapter`)).toBeUndefined();
  });
});

type Rule = { ports?: Array<{ port?: number | string; endPort?: number }> };

/** The ports of a NetworkPolicy rule, as strings ("3000", "http"). */
function portsOf(rule: Rule): string[] {
  return (rule.ports ?? []).map((p) => String(p.port));
}

describe('NetworkPolicy', () => {
  it('off by default', () => {
    expect(list(kindOf(render('defaults'), 'NetworkPolicy'))).toEqual([]);
  });

  it('on: the gateway accepts port 3000 from the allowed namespaces, the metrics port from Prometheus only, and reaches DNS and the providers on 443', () => {
    const objects = render('networkPolicy');
    const policies = kindOf(objects, 'NetworkPolicy');
    const gw = policies.find((p) => selects(get(p, 'spec.podSelector.matchLabels'), get(gateway(objects), 'spec.template.metadata.labels')))!;
    expect(gw).toBeDefined();
    expect(get(gw, 'spec.policyTypes')).toEqual(expect.arrayContaining(['Ingress', 'Egress']));
    const ingress = get<Rule[]>(gw, 'spec.ingress');
    // Every ingress rule is for the API port or the metrics port (by the container ports' names).
    expect(ingress.map((rule) => portsOf(rule))).toEqual(ingress.map(() => [expect.stringMatching(/^(http|metrics)$/)]));
    const api = ingress.filter((rule) => portsOf(rule)[0] === 'http');
    const metrics = ingress.filter((rule) => portsOf(rule)[0] === 'metrics');
    expect(JSON.stringify(api)).toContain('"kubernetes.io/metadata.name":"apps"');
    expect(JSON.stringify(api)).not.toContain('"kubernetes.io/metadata.name":"monitoring"');
    expect(metrics).toEqual([{ ports: [{ port: 'metrics', protocol: 'TCP' }], from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }] }]);
    // Without callers configured the API is open to any pod, the metrics port still is not.
    const open = get<Rule[]>(one(render('metricsToken'), 'NetworkPolicy', FULLNAME), 'spec.ingress');
    expect(open.filter((rule) => portsOf(rule)[0] === 'metrics')).toEqual(metrics);
    // The `helm test` pod (same namespace) may still call the gateway.
    const testPod = one(objects, 'Pod');
    const peers = ingress.flatMap((rule) => (rule as { from?: Array<Record<string, unknown>> }).from ?? []);
    expect(peers.some((peer) => !peer.namespaceSelector && selects(get(peer, 'podSelector.matchLabels'), podLabels(testPod)))).toBe(true);
    const egress = get<Rule[]>(gw, 'spec.egress');
    const egressPorts = egress.flatMap(portsOf);
    expect(egressPorts).toEqual(expect.arrayContaining(['53', '443']));
    expect(JSON.stringify(egress)).toContain('169.254.169.254/32');
  });

  it('with the bundled Redis: the Redis nodes accept the gateway, each other (6379 and the bus 16379) and the cluster Job', () => {
    const objects = render('networkPolicyRedis');
    const redisPods = get<Record<string, string>>(one(objects, 'StatefulSet'), 'spec.template.metadata.labels');
    const redis = kindOf(objects, 'NetworkPolicy').find((p) => selects(get(p, 'spec.podSelector.matchLabels'), redisPods))!;
    expect(redis).toBeDefined();
    const redisPorts = get<Rule[]>(redis, 'spec.ingress').flatMap(portsOf);
    expect(redisPorts.filter((p) => /^(6379|16379|redis|bus|cluster-bus)$/.test(p)).length).toBeGreaterThanOrEqual(2);
    // The gateway may reach Redis.
    const gw = kindOf(objects, 'NetworkPolicy').find((p) => selects(get(p, 'spec.podSelector.matchLabels'), get(gateway(objects), 'spec.template.metadata.labels')))!;
    expect(get<Rule[]>(gw, 'spec.egress').flatMap(portsOf)).toContain('6379');
  });
});

describe('Ingress and HTTPRoute', () => {
  it('off by default', () => {
    expect(list(kindOf(render('defaults'), 'Ingress'))).toEqual([]);
    expect(list(kindOf(render('defaults'), 'HTTPRoute'))).toEqual([]);
  });

  it('Ingress: class, hosts, TLS, SSE-friendly annotations, backend = the Service port', () => {
    const ingress = one(render('ingress'), 'Ingress');
    expect(get(ingress, 'spec.ingressClassName')).toBe('nginx');
    expect(get(ingress, 'spec.tls')).toEqual([{ secretName: 'llm-tls', hosts: ['llm.example.org'] }]);
    expect(get(ingress, 'spec.rules')).toEqual([
      { host: 'llm.example.org', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: FULLNAME, port: expect.anything() } } }] } },
    ]);
    const port = get<{ name?: string; number?: number }>(ingress, 'spec.rules.0.http.paths.0.backend.service.port');
    expect(port.name === 'http' || port.number === 80).toBe(true);
    expect(ingress.metadata?.annotations).toMatchObject({ 'nginx.ingress.kubernetes.io/proxy-buffering': 'off', 'nginx.ingress.kubernetes.io/proxy-read-timeout': '600' });
  });

  it('HTTPRoute: parents, hostnames, rules with the backendRef to the Service', () => {
    const route = one(render('httpRoute'), 'HTTPRoute');
    expect(get(route, 'spec.parentRefs')).toEqual([{ name: 'public', namespace: 'gateways', sectionName: 'https' }]);
    expect(get(route, 'spec.hostnames')).toEqual(['llm.example.org']);
    expect(get(route, 'spec.rules')).toEqual([
      expect.objectContaining({ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [expect.objectContaining({ name: FULLNAME, port: 80 })] }),
    ]);
  });
});

describe('redis modes', () => {
  const BUNDLED_NODES = Array.from({ length: 6 }, (_, i) => `${FULLNAME}-redis-${i}.${FULLNAME}-redis-headless.${NAMESPACE}.svc.cluster.local:6379`);

  it('none (default): no Redis objects, no Redis env, the in-memory cache', () => {
    const objects = render('defaults');
    expect(list(kindOf(objects, 'StatefulSet'))).toEqual([]);
    expect([...env(objects).keys()].filter((k) => k.includes('REDIS') || k === 'LLM_HUB_CACHE_TYPE')).toEqual([]);
    expect(get(config(objects), 'cache.type')).toBe('memory');
  });

  it('external: the seed nodes and TLS in config and env, the password from the given Secret, no Redis objects', () => {
    const objects = render('redisExternal');
    expect(list(kindOf(objects, 'StatefulSet'))).toEqual([]);
    expect(get(config(objects), 'cache')).toMatchObject({ type: 'redis-cluster', redis: { nodes: ['redis-0.example:6379', 'redis-1.example:6379'], tls: true } });
    const vars = env(objects);
    expect(vars.get('LLM_HUB_CACHE_TYPE')?.value).toBe('redis-cluster');
    expect(vars.get('LLM_HUB_REDIS_NODES')?.value).toBe('redis-0.example:6379,redis-1.example:6379');
    expect(vars.get('LLM_HUB_REDIS_PASSWORD')?.valueFrom).toEqual({ secretKeyRef: { name: 'redis-auth', key: 'pw' } });
    const loaded = loadRenderedConfig(objects);
    expect(loaded.cache).toMatchObject({ type: 'redis-cluster', redis: { nodes: ['redis-0.example:6379', 'redis-1.example:6379'], tls: true, password: 'dummy-llm_hub_redis_password' } });
    expect(env(render('redisExternalNoPassword')).has('LLM_HUB_REDIS_PASSWORD')).toBe(false);
  });

  it('bundled: a StatefulSet of 6 with PVCs behind a headless Service, a Secret with the password, a PDB', () => {
    const objects = render('redisBundled');
    const sts = one(objects, 'StatefulSet', `${FULLNAME}-redis`);
    expect(get(sts, 'spec.replicas')).toBe(6);
    expect(get(sts, 'spec.serviceName')).toBe(`${FULLNAME}-redis-headless`);
    const headless = one(objects, 'Service', `${FULLNAME}-redis-headless`);
    expect(get(headless, 'spec.clusterIP')).toBe('None');
    expect(get(headless, 'spec.publishNotReadyAddresses')).toBe(true);
    expect(selects(get(headless, 'spec.selector'), get(sts, 'spec.template.metadata.labels'))).toBe(true);
    const claims = get<Array<Record<string, unknown>>>(sts, 'spec.volumeClaimTemplates');
    expect(claims).toHaveLength(1);
    expect(get(claims[0], 'spec.resources.requests.storage')).toBe('1Gi');
    expect(get(claims[0], 'spec.accessModes')).toEqual(['ReadWriteOnce']);
    const secret = one(objects, 'Secret', `${FULLNAME}-redis`);
    expect(decode(secret).password).toMatch(/^.{32,}$/);
    const pdb = one(objects, 'PodDisruptionBudget', `${FULLNAME}-redis`);
    expect(get(pdb, 'spec.maxUnavailable')).toBe(1);
    expect(selects(get(pdb, 'spec.selector.matchLabels'), get(sts, 'spec.template.metadata.labels'))).toBe(true);
    // The gateway's PDB must not count the Redis pods (nor the other way round).
    const gatewayPdb = one(objects, 'PodDisruptionBudget', FULLNAME);
    expect(selects(get(gatewayPdb, 'spec.selector.matchLabels'), get(sts, 'spec.template.metadata.labels'))).toBe(false);
  });

  it('bundled: a hook Job creates the cluster (post-install and post-upgrade)', () => {
    const objects = render('redisBundled');
    const job = one(objects, 'Job');
    const annotations = job.metadata?.annotations as Record<string, string>;
    expect(annotations['helm.sh/hook']).toEqual(expect.stringContaining('post-install'));
    expect(annotations['helm.sh/hook']).toEqual(expect.stringContaining('post-upgrade'));
    expect(annotations['helm.sh/hook-delete-policy']).toBeDefined();
    expect(get(job, 'spec.template.spec.restartPolicy')).toMatch(/^(Never|OnFailure)$/);
    expect(get(job, 'spec.activeDeadlineSeconds')).toBe(900);
    expect(get(job, 'spec.backoffLimit')).toBe(6);
  });

  it('bundled: the gateway uses the cluster: config type redis-cluster with the six stable node names, password from the Secret', () => {
    const objects = render('redisBundled');
    expect(get(config(objects), 'cache')).toMatchObject({ type: 'redis-cluster', redis: { nodes: BUNDLED_NODES } });
    const vars = env(objects);
    expect(vars.get('LLM_HUB_REDIS_NODES')?.value).toBe(BUNDLED_NODES.join(','));
    expect(vars.get('LLM_HUB_REDIS_PASSWORD')?.valueFrom).toEqual({ secretKeyRef: { name: `${FULLNAME}-redis`, key: 'password' } });
    const loaded = loadRenderedConfig(objects);
    expect(loaded.cache.type).toBe('redis-cluster');
    expect(loaded.cache.redis?.nodes).toEqual(BUNDLED_NODES);
    expect(loaded.cache.redis?.password).toBe(decode(one(objects, 'Secret', `${FULLNAME}-redis`)).password);
  });

  it('bundled without persistence or PDB: no PVCs (emptyDir), no Redis PDB', () => {
    const objects = render('redisBundledEphemeral');
    const sts = one(objects, 'StatefulSet', `${FULLNAME}-redis`);
    expect(get(sts, 'spec.volumeClaimTemplates')).toBeUndefined();
    expect(JSON.stringify(get(sts, 'spec.template.spec.volumes'))).toContain('emptyDir');
    expect(maybeOne(objects, 'PodDisruptionBudget', `${FULLNAME}-redis`)).toBeUndefined();
  });
});

describe('helm test', () => {
  it('a test Pod with the test hook annotation, which calls the gateway Service', () => {
    const objects = render('defaults');
    const pods = kindOf(objects, 'Pod');
    expect(pods.length).toBeGreaterThanOrEqual(1);
    for (const pod of pods) {
      expect(pod.metadata?.annotations).toMatchObject({ 'helm.sh/hook': 'test' });
      // Kept after it succeeds, so that `helm test --logs` can read its log (cluster/chart-install.spec.ts).
      expect((pod.metadata?.annotations as Record<string, string>)['helm.sh/hook-delete-policy']).toBe('before-hook-creation');
      expect(get(pod, 'spec.restartPolicy')).toBe('Never');
    }
    expect(JSON.stringify(pods.map((p) => p.spec))).toContain(FULLNAME);
  });
});
