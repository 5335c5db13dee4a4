import type { K8sObject } from './k8s-schema';

/**
 * The API server's name and label rules (apimachinery validation), which OpenAPI schemas cannot
 * express and kubeconform therefore does not check, and which a chart gets wrong most often:
 * object, label, port, container, env and volume names, and a pod template that matches its
 * selector. Hand-written because no maintained validator makes these checks offline (the API
 * server does, but the deployment specs run without a cluster).
 */

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
/** Kinds whose name becomes a DNS label (Service) or part of pod host names (StatefulSet). */
const LABEL_NAMED = new Set(['Service', 'StatefulSet', 'Namespace']);
const POD_TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

/** The API server's name and label rules (apimachinery validation), which OpenAPI leaves out. */
export function apiServerChecks(obj: K8sObject): string[] {
  const errors: string[] = [];
  const meta = obj.metadata ?? {};
  const kind = obj.kind as string;
  if (typeof meta.name !== 'string' || meta.name === '') errors.push('/metadata/name: required');
  else if (LABEL_NAMED.has(kind)) {
    const rule = kind === 'Service' ? DNS_1035_LABEL : DNS_LABEL;
    if (meta.name.length > 63 || !rule.test(meta.name)) errors.push(`/metadata/name: "${meta.name}" is not a valid DNS label (at most 63 characters${kind === 'Service' ? ', starting with a letter' : ''})`);
  } else if (meta.name.length > 253 || !DNS_SUBDOMAIN.test(meta.name)) errors.push(`/metadata/name: "${meta.name}" is not a valid DNS subdomain`);
  // The StatefulSet controller labels each pod with controller-revision-hash = <name>-<10 chars>,
  // a label value (at most 63): a longer name is accepted by the API server, but its pods never start.
  if (kind === 'StatefulSet' && typeof meta.name === 'string' && meta.name.length > 52) {
    errors.push(`/metadata/name: "${meta.name}" is longer than 52 characters: its pods' controller-revision-hash label would exceed 63`);
  }
  if (meta.namespace !== undefined && (typeof meta.namespace !== 'string' || !DNS_LABEL.test(meta.namespace))) errors.push(`/metadata/namespace: "${String(meta.namespace)}" is not a valid namespace`);
  errors.push(...labelErrors('/metadata/labels', meta.labels), ...keyErrors('/metadata/annotations', meta.annotations));
  const annotations = (meta.annotations ?? {}) as Record<string, unknown>;
  const annotationBytes = Object.entries(annotations).reduce((n, [k, v]) => n + k.length + String(v).length, 0);
  if (annotationBytes > 256 * 1024) errors.push('/metadata/annotations: more than 256 KiB in total');

  const spec = obj.spec as Record<string, unknown> | undefined;
  const templates: Array<[string, Record<string, unknown> | undefined]> = [];
  if (kind === 'Pod') templates.push(['', obj]);
  if (POD_TEMPLATE_KINDS.has(kind)) templates.push(['/spec/template', spec?.template as Record<string, unknown> | undefined]);
  if (kind === 'CronJob') {
    const job = (spec?.jobTemplate as Record<string, unknown> | undefined)?.spec as Record<string, unknown> | undefined;
    templates.push(['/spec/jobTemplate/spec/template', job?.template as Record<string, unknown> | undefined]);
  }
  for (const [base, template] of templates) {
    if (!template) continue;
    const templateMeta = (template.metadata ?? {}) as Record<string, unknown>;
    if (base) errors.push(...labelErrors(`${base}/metadata/labels`, templateMeta.labels), ...keyErrors(`${base}/metadata/annotations`, templateMeta.annotations));
    const podSpec = (template.spec ?? {}) as Record<string, unknown>;
    // A StatefulSet's volumeClaimTemplates are volumes of its pods too.
    const claims = kind === 'StatefulSet' ? ((spec?.volumeClaimTemplates ?? []) as Array<{ metadata?: { name?: string } }>).map((c) => c.metadata?.name) : [];
    errors.push(...podSpecErrors(`${base}/spec`, podSpec, claims));
  }
  if (kind === 'Service') {
    const ports = (spec?.ports ?? []) as Array<{ name?: string }>;
    ports.forEach((port, i) => {
      if (port.name !== undefined && (port.name.length > 15 || !IANA_SVC_NAME.test(port.name))) errors.push(`/spec/ports/${i}/name: "${port.name}" is not a valid port name (at most 15 characters)`);
    });
    if (ports.length > 1 && ports.some((port) => !port.name)) errors.push('/spec/ports: every port needs a name when there are several');
  }
  for (const selectorPath of ['selector'] as const) {
    const selector = spec?.[selectorPath] as { matchLabels?: unknown } | undefined;
    if (selector && typeof selector === 'object' && 'matchLabels' in selector) errors.push(...labelErrors(`/spec/${selectorPath}/matchLabels`, selector.matchLabels));
  }
  if (POD_TEMPLATE_KINDS.has(kind) && kind !== 'Job') {
    const matchLabels = ((spec?.selector as { matchLabels?: Record<string, string> } | undefined)?.matchLabels ?? {});
    const templateLabels = (((spec?.template as { metadata?: { labels?: Record<string, string> } } | undefined)?.metadata?.labels ?? {}));
    for (const [key, value] of Object.entries(matchLabels)) {
      if (templateLabels[key] !== value) errors.push(`/spec/selector/matchLabels/${key}: the pod template's labels do not match the selector`);
    }
  }
  return errors;
}

function podSpecErrors(at: string, podSpec: Record<string, unknown>, claimNames: Array<string | undefined> = []): string[] {
  const errors: string[] = [];
  const names = new Set<string>();
  for (const list of ['initContainers', 'containers'] as const) {
    const containers = (podSpec[list] ?? []) as Array<Record<string, unknown>>;
    containers.forEach((container, i) => {
      const name = container.name;
      if (typeof name === 'string') {
        if (name.length > 63 || !DNS_LABEL.test(name)) errors.push(`${at}/${list}/${i}/name: "${name}" is not a valid DNS label`);
        if (names.has(name)) errors.push(`${at}/${list}/${i}/name: "${name}" is used twice`);
        names.add(name);
      }
      const ports = (container.ports ?? []) as Array<{ name?: string }>;
      ports.forEach((port, j) => {
        if (port.name !== undefined && (port.name.length > 15 || !IANA_SVC_NAME.test(port.name) || !/[a-z]/.test(port.name))) {
          errors.push(`${at}/${list}/${i}/ports/${j}/name: "${port.name}" is not a valid port name (at most 15 characters)`);
        }
      });
      const env = (container.env ?? []) as Array<{ name?: string }>;
      const envNames = new Set<string>();
      env.forEach((variable, j) => {
        if (typeof variable.name === 'string' && envNames.has(variable.name)) errors.push(`${at}/${list}/${i}/env/${j}/name: "${variable.name}" is set twice`);
        if (typeof variable.name === 'string') envNames.add(variable.name);
      });
      const mounts = (container.volumeMounts ?? []) as Array<{ name?: string }>;
      const volumes = new Set([...((podSpec.volumes ?? []) as Array<{ name?: string }>).map((v) => v.name), ...claimNames]);
      mounts.forEach((mount, j) => {
        if (!volumes.has(mount.name)) errors.push(`${at}/${list}/${i}/volumeMounts/${j}/name: no volume "${String(mount.name)}" in the pod`);
      });
    });
  }
  return errors;
}

function keyErrors(at: string, map: unknown): string[] {
  if (!map || typeof map !== 'object') return [];
  const errors: string[] = [];
  for (const key of Object.keys(map)) {
    const slash = key.lastIndexOf('/');
    const prefix = slash < 0 ? undefined : key.slice(0, slash);
    const name = slash < 0 ? key : key.slice(slash + 1);
    if (name.length > 63 || !QUALIFIED_NAME.test(name) || (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)))) {
      errors.push(`${at}: "${key}" is not a valid key`);
    }
  }
  return errors;
}

function labelErrors(at: string, labels: unknown): string[] {
  if (!labels || typeof labels !== 'object') return [];
  const errors = keyErrors(at, labels);
  for (const [key, value] of Object.entries(labels)) {
    if (typeof value !== 'string') continue; // the schema reports the type
    if (value.length > 63 || !LABEL_VALUE.test(value)) errors.push(`${at}/${key}: "${value}" is not a valid label value (at most 63 characters)`);
  }
  return errors;
}
