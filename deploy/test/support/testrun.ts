import { validateObject, type K8sObject } from './k8s-schema';

/**
 * k6-operator's TestRun (k6.io/v1alpha1), checked without its CRD, which cannot be fetched here
 * (the Go module proxy refuses github.com/grafana/k6-operator, and the other schemas come from it).
 * As strictly as the CRDs are checked (kubeconform -strict, k8s-schema.ts), in two parts:
 *   - the fields of k6-operator's API types (api/v1alpha1/testrun_types.go: TestRunSpec, K6Script,
 *     K6Configmap, Pod), unknown ones being errors, and the few values it constrains;
 *   - each pod the operator makes from a Pod field (initializer, starter, runner): its image, env,
 *     resources, security contexts, volumes and the rest are the Kubernetes types of a Pod, so the
 *     pod is built and validated against the Kubernetes 1.34 schemas like any other object.
 */

const SPEC_FIELDS = new Set(['script', 'parallelism', 'separate', 'arguments', 'ports', 'initializer', 'starter', 'runner', 'quiet', 'paused', 'scuttle', 'cleanup', 'cloud', 'testRunId', 'token']);
const SCRIPT_FIELDS = new Set(['volumeClaim', 'configMap', 'localFile']);
const CONFIGMAP_FIELDS = new Set(['name', 'file']);
const POD_FIELDS = new Set([
  'disabled', 'affinity', 'automountServiceAccountToken', 'env', 'image', 'imagePullSecrets', 'imagePullPolicy', 'metadata', 'nodeSelector', 'tolerations',
  'topologySpreadConstraints', 'resources', 'serviceAccountName', 'securityContext', 'containerSecurityContext', 'envFrom', 'readinessProbe', 'livenessProbe',
  'initContainers', 'volumes', 'volumeMounts', 'priorityClassName', 'schedulerName',
]);
export const TESTRUN_POD_ROLES = ['initializer', 'starter', 'runner'] as const;
/** Where the operator mounts a script's ConfigMap in every pod. */
export const TESTRUN_SCRIPT_DIR = '/test';

type Fields = Record<string, unknown>;

function unknownFields(at: string, value: unknown, known: Set<string>): string[] {
  if (value === undefined) return [];
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [`${at}: must be object`];
  return Object.keys(value).filter((key) => !known.has(key)).map((key) => `${at}: unknown field "${key}"`);
}

/** The pod the operator makes for one role, as a Kubernetes Pod (k6-operator's pod builders, reduced to what a manifest sets). */
export function testRunPod(testRun: K8sObject, role: (typeof TESTRUN_POD_ROLES)[number]): K8sObject {
  const spec = (testRun.spec ?? {}) as Fields;
  const pod = (spec[role] ?? {}) as Fields;
  const meta = (pod.metadata ?? {}) as Fields;
  const configMap = ((spec.script ?? {}) as Fields).configMap as Fields | undefined;
  const scriptVolume = configMap ? [{ name: 'k6-test-volume', configMap: { name: configMap.name } }] : [];
  const scriptMount = configMap ? [{ name: 'k6-test-volume', mountPath: TESTRUN_SCRIPT_DIR }] : [];
  const container: Fields = {
    name: 'k6',
    image: pod.image ?? 'grafana/k6:latest',
    imagePullPolicy: pod.imagePullPolicy,
    env: pod.env,
    envFrom: pod.envFrom,
    resources: pod.resources,
    securityContext: pod.containerSecurityContext,
    readinessProbe: pod.readinessProbe,
    livenessProbe: pod.livenessProbe,
    volumeMounts: [...scriptMount, ...((pod.volumeMounts as unknown[]) ?? [])],
  };
  const podSpec: Fields = {
    containers: [container],
    initContainers: pod.initContainers,
    volumes: [...scriptVolume, ...((pod.volumes as unknown[]) ?? [])],
    securityContext: pod.securityContext,
    affinity: pod.affinity,
    nodeSelector: pod.nodeSelector,
    tolerations: pod.tolerations,
    topologySpreadConstraints: pod.topologySpreadConstraints,
    serviceAccountName: pod.serviceAccountName,
    imagePullSecrets: pod.imagePullSecrets,
    priorityClassName: pod.priorityClassName,
    schedulerName: pod.schedulerName,
    restartPolicy: 'Never',
  };
  const defined = (object: Fields) => Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: defined({ name: `${String(testRun.metadata?.name)}-${role}`, labels: meta.labels, annotations: meta.annotations }),
    spec: defined({ ...podSpec, containers: [defined(container)] }),
  };
}

/** Every error of a TestRun, as "/path: message" lines (empty when it is valid). */
export function testRunErrors(testRun: K8sObject): string[] {
  const errors: string[] = [];
  if (testRun.apiVersion !== 'k6.io/v1alpha1' || testRun.kind !== 'TestRun') return [`not a k6.io/v1alpha1 TestRun: ${String(testRun.apiVersion)} ${String(testRun.kind)}`];
  const spec = testRun.spec as Fields | undefined;
  if (!spec) return ['/spec: required'];
  errors.push(...unknownFields('/spec', spec, SPEC_FIELDS));
  if (!Number.isInteger(spec.parallelism) || (spec.parallelism as number) < 1) errors.push('/spec/parallelism: must be an integer of at least 1');
  if (spec.cleanup !== undefined && spec.cleanup !== 'post') errors.push('/spec/cleanup: must be equal to one of the allowed values ["post"]');
  for (const key of ['quiet', 'paused', 'arguments'] as const) if (spec[key] !== undefined && typeof spec[key] !== 'string') errors.push(`/spec/${key}: must be string`);
  const script = spec.script as Fields | undefined;
  errors.push(...unknownFields('/spec/script', script, SCRIPT_FIELDS));
  const sources = Object.keys(script ?? {}).filter((key) => SCRIPT_FIELDS.has(key));
  if (sources.length !== 1) errors.push(`/spec/script: needs exactly one of configMap, volumeClaim, localFile (has ${sources.join(', ') || 'none'})`);
  if (script?.configMap !== undefined) {
    errors.push(...unknownFields('/spec/script/configMap', script.configMap, CONFIGMAP_FIELDS));
    const configMap = script.configMap as Fields;
    if (typeof configMap.name !== 'string' || configMap.name === '') errors.push('/spec/script/configMap/name: required');
    if (typeof configMap.file === 'string' && configMap.file.includes('/')) errors.push('/spec/script/configMap/file: a key of the ConfigMap, without a path');
  }
  for (const role of TESTRUN_POD_ROLES) {
    if (spec[role] === undefined) continue;
    errors.push(...unknownFields(`/spec/${role}`, spec[role], POD_FIELDS));
    errors.push(...validateObject(testRunPod(testRun, role)).errors.map((error) => `${role} pod: ${error}`));
  }
  return errors;
}
