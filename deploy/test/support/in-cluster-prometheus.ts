import { join } from 'node:path';
import { stringify } from 'yaml';
import { CLUSTER_SCRIPT, run, type ClusterPaths } from './cluster';

/**
 * A real Prometheus as a pod in the test cluster, set up as a user would: it finds the gateway's
 * pods by Kubernetes service discovery against the API server (the endpointslice role, through the
 * metrics Service the chart renders), with the token of a ServiceAccount that a Role allows to
 * list and watch just that namespace, and it sends the metrics bearer token when there is one.
 * KEDA then queries it through its Service.
 *
 * Why a pod and not a binary run inside the cluster's network namespace: pod IPs are routable
 * only there, and so is the Service KEDA calls; as a pod it gets its ServiceAccount token, the
 * cluster CA and the API server's address the way any in-cluster Prometheus does
 * (kubernetes_sd_configs with no api_server), and its lifetime is the namespace's.
 *
 * The binary is upstream Prometheus built by scripts/cluster/build.sh (Debian's package has no
 * Kubernetes service discovery), its image `prometheus.tar` among the cluster's images; the
 * cluster's `up` does not import it, this module does, once per node.
 */

export const PROMETHEUS_PORT = 9090;
/** The scrape job; its series carry namespace, service and pod labels as a ServiceMonitor's do. */
export const SCRAPE_JOB = 'llm-connector-hub';

/** Imports the image when the node lacks it; returns its ref (read from the archive). */
export async function importPrometheusImage(paths: ClusterPaths): Promise<string> {
  const archive = join(paths.images, 'prometheus.tar');
  const manifest = await run('tar', ['-xOf', archive, 'manifest.json']);
  if (manifest.code !== 0) throw new Error(`${archive}: ${manifest.stderr} (scripts/cluster.sh build builds it)`);
  const ref = (JSON.parse(manifest.stdout) as Array<{ RepoTags: string[] }>)[0].RepoTags[0];
  const present = await run(CLUSTER_SCRIPT, ['ctr', 'images', 'ls', '-q'], { timeoutMs: 30_000 });
  if (present.code === 0 && present.stdout.split('\n').includes(ref)) return ref;
  const imported = await run(CLUSTER_SCRIPT, ['import-image', archive], { timeoutMs: 120_000 });
  if (imported.code !== 0) throw new Error(`import-image ${archive} failed:\n${imported.stderr}`);
  return ref;
}

export interface PrometheusSetup {
  /** Where Prometheus runs. */
  namespace: string;
  /** The namespace whose metrics Services it scrapes (the gateway's release). */
  target: string;
  image: string;
  scrapeInterval: string;
  /** Secret in `namespace` holding the gateway's metrics token under key `token` (metrics.token). */
  tokenSecret?: string;
}

/**
 * The scrape config: every endpoint of a Service labelled app.kubernetes.io/component=monitoring
 * on its port named "metrics" (the chart's "<fullname>-metrics" Service), with the labels a
 * ServiceMonitor gives (namespace, service, pod), which the chart's KEDA query selects on.
 */
export function scrapeConfig(setup: PrometheusSetup): Record<string, unknown> {
  return {
    global: { scrape_interval: setup.scrapeInterval, scrape_timeout: setup.scrapeInterval },
    scrape_configs: [
      {
        job_name: SCRAPE_JOB,
        kubernetes_sd_configs: [{ role: 'endpointslice', namespaces: { names: [setup.target] } }],
        ...(setup.tokenSecret ? { authorization: { type: 'Bearer', credentials_file: '/var/run/metrics-token/token' } } : {}),
        relabel_configs: [
          {
            source_labels: ['__meta_kubernetes_service_label_app_kubernetes_io_component', '__meta_kubernetes_endpointslice_port_name'],
            regex: 'monitoring;metrics',
            action: 'keep',
          },
          { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
          { source_labels: ['__meta_kubernetes_service_name'], target_label: 'service' },
          { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
        ],
      },
    ],
  };
}

/** ServiceAccount, Role + RoleBinding (in the target namespace), ConfigMap, Deployment and Service. */
export function prometheusManifests(setup: PrometheusSetup): string {
  const { namespace, target } = setup;
  const objects: unknown[] = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'prometheus', namespace } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'prometheus-discovery', namespace: target },
      rules: [
        { apiGroups: [''], resources: ['pods', 'services', 'endpoints'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'prometheus-discovery', namespace: target },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'prometheus-discovery' },
      subjects: [{ kind: 'ServiceAccount', name: 'prometheus', namespace }],
    },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'prometheus', namespace }, data: { 'prometheus.yml': stringify(scrapeConfig(setup)) } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'prometheus', namespace },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'prometheus' } },
        template: {
          metadata: { labels: { app: 'prometheus' } },
          spec: {
            serviceAccountName: 'prometheus',
            securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'prometheus',
                image: setup.image,
                imagePullPolicy: 'Never',
                args: [
                  '--config.file=/etc/prometheus/prometheus.yml',
                  '--storage.tsdb.path=/prometheus',
                  '--storage.tsdb.retention.time=1h',
                  `--web.listen-address=:${PROMETHEUS_PORT}`,
                  '--log.level=warn',
                ],
                ports: [{ name: 'http', containerPort: PROMETHEUS_PORT }],
                readinessProbe: { httpGet: { path: '/-/ready', port: 'http' }, periodSeconds: 2 },
                resources: { requests: { cpu: '20m', memory: '64Mi' } },
                securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
                volumeMounts: [
                  { name: 'config', mountPath: '/etc/prometheus' },
                  { name: 'data', mountPath: '/prometheus' },
                  ...(setup.tokenSecret ? [{ name: 'metrics-token', mountPath: '/var/run/metrics-token', readOnly: true }] : []),
                ],
              },
            ],
            volumes: [
              { name: 'config', configMap: { name: 'prometheus' } },
              { name: 'data', emptyDir: {} },
              ...(setup.tokenSecret ? [{ name: 'metrics-token', secret: { secretName: setup.tokenSecret } }] : []),
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'prometheus', namespace },
      spec: { selector: { app: 'prometheus' }, ports: [{ name: 'http', port: PROMETHEUS_PORT, targetPort: 'http' }] },
    },
  ];
  return objects.map((o) => stringify(o)).join('---\n');
}

/** The URL KEDA (or anything in the cluster) queries. */
export function prometheusUrl(namespace: string): string {
  return `http://prometheus.${namespace}.svc:${PROMETHEUS_PORT}`;
}
