import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, kubectl, kubectlOk, run, type ClusterPaths } from '../support/cluster';
import { imageValues, importImages, IMAGES_TIMEOUT_MS, type ProjectImages } from '../support/images';
import { schemaPaths } from '../support/k8s-schema';
import { fakeProviderManifest } from '../support/in-cluster-fake';
import { CHART_DIR, CI_DIR, REPO_ROOT, type RunResult } from '../support/render';
import { ACQUIRE_TIMEOUT_MS, acquireCluster, releaseCluster } from '../support/shared-cluster';
import { startTraffic } from '../support/traffic';

/**
 * The chart installed for real, with every ci/*-values.yaml, in the run's test cluster, with the
 * locally built gateway and Redis images (deploy/test/fixtures/chart-cluster/small-node-values.yaml
 * lays the CPU requests down to fit the one node; everything else is the ci file's):
 *
 *   minimal         helm install --wait, helm test --logs (the test pod's log is printed);
 *   bundled-redis   the six-node Redis Cluster on the default StorageClass (local-path) with the
 *                   local Redis image, formed by the hook Job; helm test; the cache answers MISS then
 *                   HIT through the Service, the answer is in Redis;
 *   external-redis  its Secrets made by the setup, its seed nodes those of the bundled cluster (one
 *                   Redis Cluster per run): helm test, and its answers land in that cluster;
 *   (disruptions)   on the bundled release, with completions and slow SSE streams running from the
 *                   host through the Service's NodePort: a `helm upgrade` that changes the config
 *                   (a rolling restart) and an eviction through the Eviction API under the PDB.
 *                   Every request answers 200, every stream ends with [DONE]; after the restart a
 *                   new pod answers the earlier prompt from Redis (HIT);
 *   full            the bundled release upgraded to ci/full: the CRDs it needs (the official
 *                   prometheus-operator and Gateway API files of scripts/k8s-schemas.sh), the
 *                   `monitoring` namespace, the PriorityClass and the metrics token Secret made by
 *                   the setup; helm test --logs.
 */

const UPSTREAM_NS = 'chart-upstream';
const MINIMAL_NS = 'chart-minimal';
const HUB_NS = 'chart-hub';
const EXTERNAL_NS = 'chart-external';
const RELEASE = 'hub';
const FULLNAME = `${RELEASE}-llm-connector-hub`;
const MODEL = 'openai/gpt-4o-mini';
const UPSTREAM_KEY = 'sk-chart-spec-upstream';
const SMALL_NODE_VALUES = join(REPO_ROOT, 'deploy/test/fixtures/chart-cluster/small-node-values.yaml');
/** helm's own wait (pods Ready, hook Jobs done); the Jest timeouts are above it. */
const HELM_TIMEOUT = '6m';
const HELM_TIMEOUT_MS = 7 * 60_000;
/** Answers of about 4 s in 16 chunks: a drain always finds streams in flight. */
const STREAM_SUFFIX = '[[fake latency=200 chunks=16 chunk-delay=250]]';
const PLAIN_SUFFIX = '[[fake latency=100]]';

/** The fake provider, the upstream of every release that has an OpenAI key. */
const upstream = (image: string): string => fakeProviderManifest(UPSTREAM_NS, image);

/** What ci/external-redis-values.yaml expects to exist: its three Secrets. */
function externalSecrets(redisPassword: string): string {
  return `
apiVersion: v1
kind: Namespace
metadata: {name: ${EXTERNAL_NS}}
---
apiVersion: v1
kind: Secret
metadata: {name: llm-hub-providers, namespace: ${EXTERNAL_NS}}
stringData: {OPENAI_API_KEY: ${UPSTREAM_KEY}}
---
apiVersion: v1
kind: Secret
metadata: {name: llm-hub-gateway-keys, namespace: ${EXTERNAL_NS}}
stringData: {api-keys: "chart-spec-key-1,chart-spec-key-2"}
---
apiVersion: v1
kind: Secret
metadata: {name: llm-hub-redis, namespace: ${EXTERNAL_NS}}
stringData: {redis-password: ${JSON.stringify(redisPassword)}}
`;
}

/** What ci/full-values.yaml expects the cluster to have (beside the CRDs). */
const FULL_PREREQUISITES = `
apiVersion: v1
kind: Namespace
metadata: {name: monitoring}
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high-priority}
value: 1000000
description: The gateway in ci/full-values.yaml.
---
apiVersion: v1
kind: Secret
metadata: {name: llm-hub-metrics-token, namespace: ${HUB_NS}}
stringData: {token: chart-spec-metrics-token}
`;

interface PodList {
  items: Array<{
    metadata: { name: string; deletionTimestamp?: string; labels: Record<string, string> };
    spec: { containers: Array<{ image: string }>; priorityClassName?: string; priority?: number };
    status: { phase: string; conditions?: Array<{ type: string; status: string }> };
  }>;
}

describe('the chart installed for real with every ci/*-values.yaml', () => {
  let paths: ClusterPaths;
  let images: ProjectImages;
  let tmp: string;
  /** --set of the images, on every install and upgrade. */
  let imageArgs: string[];
  let hubUrl: string;

  const helm = (args: string[], timeoutMs = HELM_TIMEOUT_MS): Promise<RunResult> =>
    run(paths.helm, args, { timeoutMs, env: { ...process.env, KUBECONFIG: paths.kubeconfig } });
  const helmOk = async (args: string[]): Promise<string> => {
    const out = await helm(args);
    if (out.code !== 0) throw new Error(`helm ${args.join(' ')} failed (exit ${out.code}):\n${out.stdout}${out.stderr}`);
    return out.stdout;
  };
  /** install or upgrade with a ci file, the small-node overlay and the local images, waiting for everything. */
  const deploy = (verb: 'install' | 'upgrade', namespace: string, ciFile: string, extra: string[] = []) =>
    helmOk([verb, RELEASE, CHART_DIR, '-n', namespace, '-f', join(CI_DIR, ciFile), '-f', SMALL_NODE_VALUES, ...imageArgs, ...extra, '--wait', '--timeout', HELM_TIMEOUT]);
  const upstreamEnv = `--set-json=extraEnv=[{"name":"OPENAI_BASE_URL","value":"http://fake-provider.${UPSTREAM_NS}.svc/v1"}]`;

  /** `helm test --logs`: passes, and prints the test pod's own log (its last line is OK). */
  const helmTestWithLogs = async (namespace: string) => {
    const out = await helm(['test', RELEASE, '-n', namespace, '--logs', '--timeout', HELM_TIMEOUT]);
    expect({ code: out.code, stderr: out.stderr }).toEqual({ code: 0, stderr: '' });
    expect(out.stdout).toMatch(/^Phase:\s+Succeeded$/m);
    expect(out.stdout).toContain(`POD LOGS: ${FULLNAME}-test-completion`);
    expect(out.stdout).toMatch(/^GET \/health\/ready 200 /m);
    expect(out.stdout).toMatch(/^POST \/v1\/chat\/completions 200 via mock\/mock-1: /m);
    expect(out.stdout).toMatch(/^OK$/m);
  };

  const pods = async (namespace: string, selector: string): Promise<PodList['items']> =>
    (JSON.parse(await kubectlOk(paths, ['-n', namespace, 'get', 'pods', '-l', selector, '-o', 'json'])) as PodList).items;
  const gatewayPods = (namespace: string) => pods(namespace, 'app.kubernetes.io/component=gateway');
  const ready = (pod: PodList['items'][number]) => !pod.metadata.deletionTimestamp && pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

  /** Waits until the release has exactly n gateway pods, all Ready (none terminating), and returns them. */
  const settled = (namespace: string, n: number) =>
    eventually(`${n} gateway pods, all Ready, none terminating`, 180_000, async () => {
      const now = await gatewayPods(namespace);
      return now.length === n && now.every(ready) ? now : undefined;
    });

  /**
   * The gateway connects to Redis after it listens (readiness stays 200 with the cache degraded),
   * so a request before that is cached in the pod's memory only: wait until every pod's cache is ok.
   */
  const cacheReady = (namespace: string) =>
    eventually(`the gateways' Redis cache in ${namespace} to be ok`, 120_000, async () => {
      for (const pod of await gatewayPods(namespace)) {
        const script = "fetch('http://127.0.0.1:3000/health/ready').then((r) => r.json()).then((b) => process.stdout.write(b.details.cache.state))";
        if ((await kubectlOk(paths, ['-n', namespace, 'exec', pod.metadata.name, '--', 'node', '-e', script], { timeoutMs: 30_000 })).trim() !== 'ok') return undefined;
      }
      return true;
    });

  const redisCli = (pod: string, args: string[]) => kubectlOk(paths, ['-n', HUB_NS, 'exec', pod, '-c', 'redis', '--', 'redis-cli', ...args], { timeoutMs: 30_000 });
  const redisPods = Array.from({ length: 6 }, (_, i) => `${FULLNAME}-redis-${i}`);
  /** Answers cached in the Redis Cluster: keys under the gateway's prefix on the masters. */
  const cachedInRedis = async (): Promise<number> => {
    let keys = 0;
    for (const pod of redisPods) {
      if (!(await redisCli(pod, ['role'])).startsWith('master')) continue;
      keys += (await redisCli(pod, ['--scan', '--pattern', 'llmhub:*'])).split('\n').filter(Boolean).length;
    }
    return keys;
  };

  const chat = async (baseUrl: string, prompt: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      // temperature 0: deterministic, so cached under the default policy (docs/configuration.md#cache-policy).
      body: JSON.stringify({ model: MODEL, temperature: 0, messages: [{ role: 'user', content: prompt }] }),
      signal: AbortSignal.timeout(30_000),
    });
    const body = (await res.json()) as { choices?: Array<{ message: { content: string } }> };
    return { status: res.status, cache: res.headers.get('x-llm-hub-cache'), content: body.choices?.[0]?.message.content };
  };

  beforeAll(async () => {
    paths = await acquireCluster();
  }, ACQUIRE_TIMEOUT_MS);

  beforeAll(async () => {
    images = await importImages();
    const gateway = imageValues(images.gateway);
    const redis = imageValues(images.redis);
    imageArgs = [
      '--set', `image.repository=${gateway.repository}`, '--set-string', `image.tag=${gateway.tag}`,
      '--set', `redis.bundled.image.repository=${redis.repository}`, '--set-string', `redis.bundled.image.tag=${redis.tag}`,
    ];
    tmp = mkdtempSync(join(tmpdir(), 'chart-install-'));
    await kubectlOk(paths, ['apply', '-f', '-'], { input: upstream(images['fake-provider']) });
    await kubectlOk(paths, ['-n', UPSTREAM_NS, 'rollout', 'status', 'deployment/fake-provider', '--timeout=150s'], { timeoutMs: 160_000 });
  }, IMAGES_TIMEOUT_MS + 180_000);

  afterAll(async () => {
    // The cluster is shared with the run's other cluster specs: leave it as it was.
    if (paths) {
      for (const namespace of [MINIMAL_NS, HUB_NS, EXTERNAL_NS]) await helm(['uninstall', RELEASE, '-n', namespace, '--ignore-not-found', '--wait=false'], 120_000);
      await kubectl(paths, ['delete', 'namespace', MINIMAL_NS, HUB_NS, EXTERNAL_NS, UPSTREAM_NS, 'monitoring', '--ignore-not-found', '--wait=false']);
      await kubectl(paths, ['delete', 'priorityclass', 'high-priority', '--ignore-not-found']);
    }
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    releaseCluster();
  }, 180_000);

  it('minimal: helm install --wait returns with the pod Ready, and helm test --logs passes and prints the test pod log', async () => {
    await deploy('install', MINIMAL_NS, 'minimal-values.yaml', ['--create-namespace']);
    const running = await gatewayPods(MINIMAL_NS);
    expect(running.map(ready)).toEqual([true]);
    expect(running[0].spec.containers[0].image).toBe(images.gateway);
    await helmTestWithLogs(MINIMAL_NS);
  }, 2 * HELM_TIMEOUT_MS);

  it('bundled-redis: six Redis nodes of the local image on local-path volumes form the cluster; helm test passes; the cache answers MISS then HIT through the Service, from Redis', async () => {
    await deploy('install', HUB_NS, 'bundled-redis-values.yaml', ['--create-namespace', '--set', 'service.type=NodePort', upstreamEnv, '--set', `providers.apiKeys.OPENAI_API_KEY=${UPSTREAM_KEY}`]);
    // --wait returned with minReplicas (2) Ready, not just the one pod a Deployment without replicas gets.
    expect((await gatewayPods(HUB_NS)).map(ready)).toEqual([true, true]);

    const claims = JSON.parse(await kubectlOk(paths, ['-n', HUB_NS, 'get', 'pvc', '-o', 'json'])) as { items: Array<{ spec: { storageClassName: string }; status: { phase: string } }> };
    expect(claims.items.map((c) => [c.spec.storageClassName, c.status.phase])).toEqual(Array.from({ length: 6 }, () => ['local-path', 'Bound']));
    const nodes = await pods(HUB_NS, 'app.kubernetes.io/component=redis');
    expect(nodes.map((p) => [p.spec.containers[0].image, ready(p)])).toEqual(Array.from({ length: 6 }, () => [images.redis, true]));
    const info = await redisCli(redisPods[0], ['cluster', 'info']);
    expect(info).toMatch(/^cluster_state:ok\r?$/m);
    expect(info).toMatch(/^cluster_known_nodes:6\r?$/m);
    expect(info).toMatch(/^cluster_size:3\r?$/m);

    await helmTestWithLogs(HUB_NS);

    const nodePort = (await kubectlOk(paths, ['-n', HUB_NS, 'get', 'service', FULLNAME, '-o', 'jsonpath={.spec.ports[0].nodePort}'])).trim();
    hubUrl = `http://${paths.linkNamespaceIp}:${nodePort}`;
    await cacheReady(HUB_NS);
    const before = await cachedInRedis();
    const first = await chat(hubUrl, 'chart spec: cached once');
    expect(first).toMatchObject({ status: 200, cache: 'MISS' });
    const second = await chat(hubUrl, 'chart spec: cached once');
    expect(second).toEqual({ ...first, cache: 'HIT' });
    expect(await cachedInRedis()).toBe(before + 1);
  }, 2 * HELM_TIMEOUT_MS);

  it('external-redis: with its Secrets, against the Redis Cluster of the bundled release: helm test passes and its answers land in that cluster', async () => {
    const password = Buffer.from(await kubectlOk(paths, ['-n', HUB_NS, 'get', 'secret', `${FULLNAME}-redis`, '-o', 'jsonpath={.data.password}']), 'base64').toString('utf8');
    await kubectlOk(paths, ['apply', '-f', '-'], { input: externalSecrets(password) });
    const seeds = [0, 1, 2].map((i) => `${FULLNAME}-redis-${i}.${FULLNAME}-redis-headless.${HUB_NS}.svc.cluster.local:6379`);
    await deploy('install', EXTERNAL_NS, 'external-redis-values.yaml', ['--set', 'service.type=NodePort', upstreamEnv, `--set-json=redis.external.nodes=${JSON.stringify(seeds)}`]);
    expect((await gatewayPods(EXTERNAL_NS)).map(ready)).toEqual([true, true]);
    await helmTestWithLogs(EXTERNAL_NS);

    const nodePort = (await kubectlOk(paths, ['-n', EXTERNAL_NS, 'get', 'service', FULLNAME, '-o', 'jsonpath={.spec.ports[0].nodePort}'])).trim();
    const url = `http://${paths.linkNamespaceIp}:${nodePort}`;
    const key = { authorization: 'Bearer chart-spec-key-2' };
    expect((await chat(url, 'chart spec: external')).status).toBe(401);
    await cacheReady(EXTERNAL_NS);
    const before = await cachedInRedis();
    expect(await chat(url, 'chart spec: external', key)).toMatchObject({ status: 200, cache: 'MISS' });
    expect(await chat(url, 'chart spec: external', key)).toMatchObject({ status: 200, cache: 'HIT' });
    expect(await cachedInRedis()).toBe(before + 1);
  }, 2 * HELM_TIMEOUT_MS);

  it('no request fails and every SSE stream ends with [DONE] while helm upgrade rolls the pods (config change) and while a pod is evicted under the PDB', async () => {
    expect(hubUrl).toBeDefined();
    const traffic = startTraffic({
      baseUrl: hubUrl,
      model: MODEL,
      workers: 4,
      streams: 4,
      plainSuffix: PLAIN_SUFFIX,
      streamSuffix: STREAM_SUFFIX,
      streamStaggerMs: 1_000,
      timeoutMs: 60_000,
    });
    let report;
    const original = (await gatewayPods(HUB_NS)).map((p) => p.metadata.name);
    try {
      await traffic.started;
      // A config change: the ConfigMap's checksum rolls every pod (maxSurge 1, maxUnavailable 0).
      await deploy('upgrade', HUB_NS, 'bundled-redis-values.yaml', ['--set', 'service.type=NodePort', upstreamEnv, '--set', `providers.apiKeys.OPENAI_API_KEY=${UPSTREAM_KEY}`, '--set', 'config.cache.ttlSeconds=1800']);
      // Until the old pods have finished draining.
      await eventually('the old gateway pods to be gone', 120_000, async () => ((await gatewayPods(HUB_NS)).some((p) => original.includes(p.metadata.name)) ? undefined : true));
      const rolled = await settled(HUB_NS, 2);

      // The Eviction API, as `kubectl drain` uses it: the PDB (minAvailable 1) allows one.
      const victim = rolled[0].metadata.name;
      const eviction = JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: victim, namespace: HUB_NS } });
      await kubectlOk(paths, ['create', '--raw', `/api/v1/namespaces/${HUB_NS}/pods/${victim}/eviction`, '-f', '-'], { input: eviction });
      expect((await settled(HUB_NS, 2)).map((p) => p.metadata.name)).not.toContain(victim);
    } finally {
      report = await traffic.stop();
      console.log(`traffic during the disruptions: ${JSON.stringify({ ...report, failures: report.failures.slice(0, 20) })}`);
    }
    expect(report.failures).toEqual([]);
    expect(report.streamsDone).toBe(report.streams);
    expect(report.streams).toBeGreaterThan(0);
    expect(report.requests).toBeGreaterThan(0);

    // The pods that answer now started after the prompt of the previous test was cached: a HIT is Redis's.
    expect(await chat(hubUrl, 'chart spec: cached once')).toMatchObject({ status: 200, cache: 'HIT' });
  }, 2 * HELM_TIMEOUT_MS);

  it('full: with its CRDs, namespace, PriorityClass and token Secret in place, the bundled release upgrades to ci/full and helm test --logs passes', async () => {
    for (const crd of schemaPaths().crds) await kubectlOk(paths, ['apply', '--server-side', '-f', crd], { timeoutMs: 60_000 });
    for (const crd of ['servicemonitors.monitoring.coreos.com', 'prometheusrules.monitoring.coreos.com', 'httproutes.gateway.networking.k8s.io']) {
      await kubectlOk(paths, ['wait', '--for=condition=Established', `crd/${crd}`, '--timeout=60s'], { timeoutMs: 70_000 });
    }
    await kubectlOk(paths, ['apply', '-f', '-'], { input: FULL_PREREQUISITES });
    await deploy('upgrade', HUB_NS, 'full-values.yaml', ['--set', 'service.type=NodePort', upstreamEnv]);

    // capacity.minReplicas 3: --wait waited for three (the old pods may still be draining).
    const running = await settled(HUB_NS, 3);
    expect(running.map((p) => [ready(p), p.spec.priorityClassName, p.spec.priority])).toEqual(Array.from({ length: 3 }, () => [true, 'high-priority', 1000000]));
    for (const [kind, name] of [['servicemonitor', `${FULLNAME}`], ['prometheusrule', FULLNAME], ['httproute', FULLNAME]]) {
      await kubectlOk(paths, ['-n', HUB_NS, 'get', kind, name]);
    }
    expect(await kubectlOk(paths, ['-n', 'monitoring', 'get', 'configmaps', '-l', 'grafana_dashboard=1', '-o', 'name'])).not.toBe('');
    await helmTestWithLogs(HUB_NS);
  }, 2 * HELM_TIMEOUT_MS);
});
