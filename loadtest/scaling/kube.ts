/**
 * What the scaling runner does to the gateway's Deployment and HPA, through @kubernetes/client-node:
 * pin the replica count, wait until every pod is Ready and in the Service, sample the pods' CPU, and
 * put the HPA (or the replica count) back as it was.
 */
import * as k8s from '@kubernetes/client-node';

export interface Target {
  namespace: string;
  deployment: string;
  hpa: string;
}

/** What restore() puts back. */
export interface Original {
  hpa: { minReplicas: number; maxReplicas: number } | undefined;
  replicas: number;
}

const MERGE_PATCH = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
const POLL_MS = 1_000;

const isNotFound = (error: unknown) => error instanceof k8s.ApiException && error.code === 404;
const pause = (ms: number) => new Promise((resolvePause) => setTimeout(resolvePause, ms));

export class GatewayScaler {
  private readonly apps: k8s.AppsV1Api;
  private readonly autoscaling: k8s.AutoscalingV2Api;
  private readonly core: k8s.CoreV1Api;
  private readonly discovery: k8s.DiscoveryV1Api;
  private readonly metrics: k8s.Metrics;

  constructor(
    kc: k8s.KubeConfig,
    private readonly target: Target,
    private readonly service: string,
  ) {
    this.apps = kc.makeApiClient(k8s.AppsV1Api);
    this.autoscaling = kc.makeApiClient(k8s.AutoscalingV2Api);
    this.core = kc.makeApiClient(k8s.CoreV1Api);
    this.discovery = kc.makeApiClient(k8s.DiscoveryV1Api);
    this.metrics = new k8s.Metrics(kc);
  }

  /** The HPA's bounds and the Deployment's replicas before the run; also checks that both exist. */
  async original(): Promise<Original> {
    const { namespace, deployment, hpa } = this.target;
    const current = await this.apps.readNamespacedDeployment({ name: deployment, namespace });
    let bounds: Original['hpa'];
    try {
      const found = await this.autoscaling.readNamespacedHorizontalPodAutoscaler({ name: hpa, namespace });
      // KEDA puts its own bounds back on an HPA it owns: a pin would not hold.
      const keda = found.metadata?.ownerReferences?.find((owner) => owner.kind === 'ScaledObject');
      if (keda) {
        throw new Error(
          `HPA ${hpa} belongs to KEDA's ScaledObject ${keda.name}, which would undo the pinned replica count: measure with the chart's plain HPA (autoscaling.engine=hpa)`,
        );
      }
      bounds = { minReplicas: found.spec.minReplicas ?? 1, maxReplicas: found.spec.maxReplicas };
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    return { hpa: bounds, replicas: current.spec?.replicas ?? 1 };
  }

  /** The gateway container's CPU limit (e.g. "100m"), or undefined when it has none. */
  async cpuLimit(): Promise<string | undefined> {
    const current = await this.apps.readNamespacedDeployment({ name: this.target.deployment, namespace: this.target.namespace });
    const limits = current.spec?.template.spec?.containers.map((c) => c.resources?.limits?.cpu).filter((cpu): cpu is string => cpu !== undefined);
    return limits?.[0];
  }

  /**
   * Pins the replica count: the HPA's min = max = n (so that it cannot move it), and the Deployment's
   * scale set to n at once rather than at the HPA's next sync.
   */
  async pin(replicas: number, original: Original): Promise<void> {
    const { namespace, deployment, hpa } = this.target;
    if (original.hpa) {
      // max first when growing and min first when shrinking would keep min <= max in between; one
      // merge patch sets both in a single update, which the API server validates as a whole.
      await this.autoscaling.patchNamespacedHorizontalPodAutoscaler({ name: hpa, namespace, body: { spec: { minReplicas: replicas, maxReplicas: replicas } } }, MERGE_PATCH);
    }
    await this.apps.patchNamespacedDeploymentScale({ name: deployment, namespace, body: { spec: { replicas } } }, MERGE_PATCH);
  }

  async restore(original: Original): Promise<void> {
    const { namespace, deployment, hpa } = this.target;
    if (original.hpa) {
      await this.autoscaling.patchNamespacedHorizontalPodAutoscaler({ name: hpa, namespace, body: { spec: original.hpa } }, MERGE_PATCH);
    } else {
      await this.apps.patchNamespacedDeploymentScale({ name: deployment, namespace, body: { spec: { replicas: original.replicas } } }, MERGE_PATCH);
    }
  }

  /** The Deployment's pods that are not terminating, and how many of them are Ready. */
  private async pods(): Promise<{ names: string[]; ready: number }> {
    const { namespace, deployment } = this.target;
    const current = await this.apps.readNamespacedDeployment({ name: deployment, namespace });
    const labels = current.spec!.selector.matchLabels ?? {};
    const labelSelector = Object.entries(labels)
      .map(([key, value]) => `${key}=${value}`)
      .join(',');
    const list = await this.core.listNamespacedPod({ namespace, labelSelector });
    const live = list.items.filter((pod) => !pod.metadata?.deletionTimestamp);
    const ready = live.filter((pod) => pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
    return { names: live.map((pod) => pod.metadata!.name!), ready };
  }

  /** Ready endpoints of the Service, over its EndpointSlices. */
  private async serviceEndpoints(): Promise<number> {
    const slices = await this.discovery.listNamespacedEndpointSlice({ namespace: this.target.namespace, labelSelector: `kubernetes.io/service-name=${this.service}` });
    return slices.items.flatMap((slice) => slice.endpoints ?? []).filter((e) => e.conditions?.ready === true && e.conditions?.terminating !== true).length;
  }

  /**
   * Waits until exactly n pods exist (none left terminating), all Ready, the Deployment has rolled
   * out, and the Service has n ready endpoints, so that the load spreads over n pods and no more.
   * Polls the API (no fixed sleep): returns as soon as that holds; throws after timeoutMs with
   * what was last seen.
   */
  async waitReady(replicas: number, timeoutMs: number): Promise<void> {
    const { namespace, deployment } = this.target;
    const deadline = Date.now() + timeoutMs;
    let seen: string;
    for (;;) {
      const current = await this.apps.readNamespacedDeployment({ name: deployment, namespace });
      const status = current.status ?? {};
      const pods = await this.pods();
      const endpoints = await this.serviceEndpoints();
      const rolledOut = (status.observedGeneration ?? 0) >= (current.metadata?.generation ?? 0) && status.updatedReplicas === replicas && status.availableReplicas === replicas;
      if (rolledOut && pods.names.length === replicas && pods.ready === replicas && endpoints === replicas) return;
      seen = `${pods.names.length} pods, ${pods.ready} Ready, ${endpoints} in the Service, Deployment available ${status.availableReplicas ?? 0}`;
      if (Date.now() >= deadline) throw new Error(`${replicas} replicas were not all Ready within ${timeoutMs} ms (${seen})`);
      await pause(POLL_MS);
    }
  }

  /** Average CPU of the gateway pods now, millicores (metrics-server); undefined when it cannot tell. */
  async cpuPerPod(): Promise<number | undefined> {
    try {
      const pods = new Set((await this.pods()).names);
      const usage = (await k8s.topPods(this.core, this.metrics, this.target.namespace)).filter((p) => pods.has(p.Pod.metadata?.name ?? ''));
      if (usage.length === 0) return undefined;
      return (usage.reduce((sum, p) => sum + Number(p.CPU.CurrentUsage), 0) / usage.length) * 1000;
    } catch {
      return undefined;
    }
  }
}
