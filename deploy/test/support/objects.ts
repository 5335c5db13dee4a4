import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GatewayConfig } from '@llm-connector-hub/config';
import { loadHubConfig } from '@llm-connector-hub/assembly';
import type { K8sObject } from './k8s-schema';
import { get, maybeOne } from './render';

/** Reading rendered objects: pods, env, Secrets, the gateway's config as the pod sees it. */

export type EnvVar = { name: string; value?: string; valueFrom?: Record<string, Record<string, unknown>> };
export type Container = {
  name: string;
  image?: string;
  env?: EnvVar[];
  envFrom?: Array<{ secretRef?: { name: string; optional?: boolean }; configMapRef?: { name: string; optional?: boolean } }>;
  securityContext?: Record<string, unknown>;
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean; subPath?: string }>;
  [key: string]: unknown;
};
export type PodSpec = {
  containers: Container[];
  initContainers?: Container[];
  volumes?: Array<Record<string, unknown> & { name: string }>;
  securityContext?: Record<string, unknown>;
  [key: string]: unknown;
};

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod'];

/** Every object with a pod template (Deployment, StatefulSet, Job, Pod, ...). */
export function workloads(objects: readonly K8sObject[]): K8sObject[] {
  return objects.filter((o) => WORKLOAD_KINDS.includes(String(o.kind)));
}

export function podSpec(workload: K8sObject): PodSpec {
  if (workload.kind === 'Pod') return workload.spec as PodSpec;
  if (workload.kind === 'CronJob') return get<PodSpec>(workload, 'spec.jobTemplate.spec.template.spec');
  return get<PodSpec>(workload, 'spec.template.spec');
}

export function podLabels(workload: K8sObject): Record<string, string> {
  if (workload.kind === 'Pod') return (workload.metadata?.labels ?? {}) as Record<string, string>;
  return get<Record<string, string> | undefined>(workload, 'spec.template.metadata.labels') ?? {};
}

export function containerOf(workload: K8sObject, name: string): Container {
  const containers = podSpec(workload).containers;
  const found = containers.find((c) => c.name === name);
  if (!found) throw new Error(`no container ${name} in ${String(workload.kind)}/${String(workload.metadata?.name)}: ${containers.map((c) => c.name).join(', ')}`);
  return found;
}

export function envOf(container: Container): Map<string, EnvVar> {
  return new Map((container.env ?? []).map((e) => [e.name, e]));
}

/** A Secret's data (base64-decoded) and stringData. */
export function decodeSecret(secret: K8sObject): Record<string, string> {
  const data = (secret.data ?? {}) as Record<string, string>;
  const out: Record<string, string> = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  return { ...out, ...((secret.stringData ?? {}) as Record<string, string>) };
}

/** Whether matchLabels select these labels. */
export function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/**
 * The Pod Security Standard "restricted" (the parts a manifest controls): non-root, no privilege
 * escalation, every capability dropped, a seccomp profile, no host namespaces or host paths; plus
 * a read-only root filesystem, which this project requires of every container.
 */
export function restrictedViolations(workload: K8sObject): string[] {
  const spec = podSpec(workload);
  const pod = spec.securityContext ?? {};
  const problems: string[] = [];
  const where = `${String(workload.kind)}/${String(workload.metadata?.name)}`;
  for (const key of ['hostNetwork', 'hostPID', 'hostIPC']) if (spec[key]) problems.push(`${where}: ${key}`);
  for (const volume of spec.volumes ?? []) if (volume.hostPath) problems.push(`${where}: hostPath volume ${volume.name}`);
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    const sc = c.securityContext ?? {};
    const at = `${where} container ${c.name}`;
    if (sc.privileged) problems.push(`${at}: privileged`);
    if (sc.allowPrivilegeEscalation !== false) problems.push(`${at}: allowPrivilegeEscalation is not false`);
    if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) problems.push(`${at}: runAsNonRoot is not true`);
    if ((sc.runAsUser ?? pod.runAsUser) === 0) problems.push(`${at}: runAsUser 0`);
    const drop = get<string[] | undefined>(sc, 'capabilities.drop') ?? [];
    if (!drop.includes('ALL')) problems.push(`${at}: capabilities.drop lacks ALL`);
    const add = get<string[] | undefined>(sc, 'capabilities.add') ?? [];
    if (add.some((cap) => cap !== 'NET_BIND_SERVICE')) problems.push(`${at}: adds capabilities ${add.join(',')}`);
    const seccomp = get<string | undefined>(sc, 'seccompProfile.type') ?? get<string | undefined>(pod, 'seccompProfile.type');
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') problems.push(`${at}: seccompProfile is ${String(seccomp)}`);
    if (sc.readOnlyRootFilesystem !== true) problems.push(`${at}: readOnlyRootFilesystem is not true`);
  }
  return problems;
}

export interface ConfigFile {
  /** LLM_HUB_CONFIG in the container. */
  path: string;
  /** The ConfigMap it comes from. */
  configMap: K8sObject;
  /** The file's text (the ConfigMap key the mount puts at `path`). */
  text: string;
}

/** The file LLM_HUB_CONFIG names, followed through the volume mount to its ConfigMap key. */
export function configFileOf(objects: readonly K8sObject[], workload: K8sObject, containerName = 'gateway'): ConfigFile {
  const container = containerOf(workload, containerName);
  const path = envOf(container).get('LLM_HUB_CONFIG')?.value;
  if (!path) throw new Error('the container has no LLM_HUB_CONFIG');
  const mount = (container.volumeMounts ?? []).find((m) => (m.subPath ? path === m.mountPath : path.startsWith(`${m.mountPath.replace(/\/$/, '')}/`)));
  if (!mount) throw new Error(`no volume mount holds ${path}`);
  const volume = (podSpec(workload).volumes ?? []).find((v) => v.name === mount.name);
  const configMapName = get<string | undefined>(volume, 'configMap.name');
  if (!configMapName) throw new Error(`volume ${mount.name} (for ${path}) is not a ConfigMap`);
  const configMap = maybeOne(objects, 'ConfigMap', configMapName);
  if (!configMap) throw new Error(`ConfigMap ${configMapName} (volume ${mount.name}) is not rendered`);
  const key = mount.subPath ?? path.slice(mount.mountPath.replace(/\/$/, '').length + 1);
  const items = get<Array<{ key: string; path: string }> | undefined>(volume, 'configMap.items');
  const sourceKey = items ? items.find((i) => i.path === key)?.key : key;
  const text = sourceKey === undefined ? undefined : (configMap.data as Record<string, string> | undefined)?.[sourceKey];
  if (text === undefined) throw new Error(`ConfigMap ${configMapName} has no key for ${path}`);
  return { path, configMap, text };
}

/**
 * The environment of the container as far as loadConfig reads it: plain values, ConfigMaps (as
 * rendered), the rendered Secrets' values, and dummy values for what Secrets that are not
 * rendered (existingSecret, created by hand) would provide: each secretKeyRef, and each ${VAR} the
 * config file refers to when an envFrom Secret is not rendered.
 */
export function podEnvironment(objects: readonly K8sObject[], workload: K8sObject, configText: string, containerName = 'gateway'): Record<string, string> {
  const out: Record<string, string> = {};
  const container = containerOf(workload, containerName);
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef) {
      const cm = maybeOne(objects, 'ConfigMap', from.configMapRef.name);
      if (cm) Object.assign(out, cm.data ?? {});
      else if (!from.configMapRef.optional) throw new Error(`envFrom ConfigMap ${from.configMapRef.name} is not rendered`);
    } else if (from.secretRef) {
      const secret = maybeOne(objects, 'Secret', from.secretRef.name);
      if (secret) Object.assign(out, decodeSecret(secret));
      else for (const [, variable] of configText.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)) out[variable] ??= `dummy-${variable.toLowerCase()}`;
    }
  }
  for (const e of container.env ?? []) {
    if (e.value !== undefined) out[e.name] = e.value;
    else if (e.valueFrom?.secretKeyRef) {
      const secret = maybeOne(objects, 'Secret', String(e.valueFrom.secretKeyRef.name));
      out[e.name] = secret ? decodeSecret(secret)[String(e.valueFrom.secretKeyRef.key)] : `dummy-${e.name.toLowerCase()}`;
    } else if (e.valueFrom?.configMapKeyRef) {
      const cm = maybeOne(objects, 'ConfigMap', String(e.valueFrom.configMapKeyRef.name));
      const value = (cm?.data as Record<string, string> | undefined)?.[String(e.valueFrom.configMapKeyRef.key)];
      if (value !== undefined) out[e.name] = value;
    }
  }
  return out;
}

/**
 * Runs the gateway's own config loader on the rendered config file with the container's
 * environment (LLM_HUB_CONFIG pointed at a temporary copy of the file). Throws what the gateway
 * would print at boot.
 */
export function loadGatewayConfig(objects: readonly K8sObject[], workload: K8sObject, containerName = 'gateway'): GatewayConfig {
  const file = configFileOf(objects, workload, containerName);
  const dir = mkdtempSync(join(tmpdir(), 'llm-hub-config-'));
  try {
    const copy = join(dir, 'config.yaml');
    writeFileSync(copy, file.text);
    return loadHubConfig({ ...podEnvironment(objects, workload, file.text, containerName), LLM_HUB_CONFIG: copy });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
