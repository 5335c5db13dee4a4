import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLUSTER_SCRIPT, eventually, kubectl, kubectlOk, run, type ClusterPaths } from '../support/cluster';
import { imageValues, importImages, IMAGES_TIMEOUT_MS, type ProjectImages } from '../support/images';
import { helmTemplateAsync, REPO_ROOT } from '../support/render';
import { fakeProviderManifest, RESTRICTED } from '../support/in-cluster-fake';
import { ACQUIRE_TIMEOUT_MS, acquireCluster, releaseCluster } from '../support/shared-cluster';

/**
 * The project's four images (scripts/images.sh: built without Docker or a registry) imported into
 * the run's test cluster and run there, each as the chart runs it: non-root, read-only root
 * filesystem, no capabilities.
 *
 *   gateway + fake provider   the gateway answers /health/ready and a chat completion, which it
 *                             sends through a Service to the fake provider in the cluster;
 *   load runner               a Job of it runs its entry point against the gateway's Service;
 *   redis                     a pod made from the chart's own bundled-Redis StatefulSet (its
 *                             start.sh, probes, config and security context) answers PING.
 */

const NAMESPACE = 'images-spec';
const UPSTREAM_KEY = 'sk-images-spec-upstream';
const MODEL = 'openai/gpt-4o-mini';
/** The load runner's smoke scenario, cut short: what matters here is that the image runs it. */
const LOAD_REQUESTS = 5;

/** The fake provider, the gateway in front of it, and their Services. */
function appObjects(images: ProjectImages): string {
  return `${fakeProviderManifest(NAMESPACE, images['fake-provider'])}---
apiVersion: apps/v1
kind: Deployment
metadata: {name: gateway, namespace: ${NAMESPACE}}
spec:
  replicas: 1
  selector: {matchLabels: {app: gateway}}
  template:
    metadata: {labels: {app: gateway}}
    spec:
      automountServiceAccountToken: false
      containers:
        - name: gateway
          image: ${images.gateway}
          imagePullPolicy: Never
          env:
            - {name: OPENAI_API_KEY, value: ${UPSTREAM_KEY}}
            - {name: OPENAI_BASE_URL, value: "http://fake-provider/v1"}
          ports: [{containerPort: 3000}]
          readinessProbe: {httpGet: {path: /health/ready, port: 3000}, periodSeconds: 1}
          resources: {requests: {cpu: 20m, memory: 128Mi}}
          volumeMounts: [{name: tmp, mountPath: /tmp}]${RESTRICTED}
      volumes: [{name: tmp, emptyDir: {}}]
---
apiVersion: v1
kind: Service
metadata: {name: gateway, namespace: ${NAMESPACE}}
spec:
  type: NodePort
  selector: {app: gateway}
  ports: [{port: 80, targetPort: 3000}]
`;
}

function loadRunnerJob(image: string): string {
  return `
apiVersion: batch/v1
kind: Job
metadata: {name: load-runner, namespace: ${NAMESPACE}}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      automountServiceAccountToken: false
      containers:
        - name: load-runner
          image: ${image}
          imagePullPolicy: Never
          env:
            - {name: SCENARIO, value: smoke}
            - {name: TARGET_URL, value: "http://gateway"}
            - {name: MODEL, value: ${MODEL}}
            - {name: MAX_ITERATIONS, value: "${LOAD_REQUESTS}"}
          resources: {requests: {cpu: 10m, memory: 64Mi}}${RESTRICTED}
`;
}

interface FakeStats {
  requests: number;
  lastRequest: { path: string; headers: Record<string, string> } | null;
}

describe('the project images, built without Docker, in the cluster', () => {
  let paths: ClusterPaths;
  let images: ProjectImages;

  beforeAll(async () => {
    paths = await acquireCluster();
  }, ACQUIRE_TIMEOUT_MS);

  beforeAll(async () => {
    images = await importImages();
  }, IMAGES_TIMEOUT_MS);

  afterAll(async () => {
    // The cluster is shared with the run's other cluster specs: leave it as it was.
    if (paths) await kubectl(paths, ['delete', 'namespace', NAMESPACE, '--ignore-not-found', '--wait=false']);
    releaseCluster();
  });

  const inPod = (target: string, command: string[]) => kubectlOk(paths, ['-n', NAMESPACE, 'exec', target, '--', ...command], { timeoutMs: 30_000 });
  /** Runs JavaScript with the image's own node (the Node images have no shell). */
  const nodeIn = (target: string, script: string) => inPod(target, ['node', '-e', script]);
  const fakeStats = async (): Promise<FakeStats> =>
    JSON.parse(await nodeIn('deploy/fake-provider', "fetch('http://127.0.0.1:8080/_fake/stats').then((r) => r.text()).then((t) => process.stdout.write(t))")) as FakeStats;

  it('are in the node under the refs the build gave them, imported once, the Node images sharing one base layer', async () => {
    const present = (await run(CLUSTER_SCRIPT, ['ctr', 'images', 'ls', '-q'], { timeoutMs: 30_000 })).stdout.split('\n');
    expect(present).toEqual(expect.arrayContaining(Object.values(images)));
    for (const [name, ref] of Object.entries(images)) expect(ref).toMatch(new RegExp(`^${paths.imagePrefix}/${name}:[0-9.]+-[0-9a-f]{12}$`));

    // A second call finds everything built and imported.
    const again = await run(join(REPO_ROOT, 'scripts/images.sh'), ['import'], { timeoutMs: 120_000 });
    expect(again.code).toBe(0);
    expect(again.stderr.match(/already in the node/g)).toHaveLength(4);
    expect(again.stderr).not.toMatch(/imported|built in/);

    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, '.tools/images/images.json'), 'utf8')) as Record<string, { archive: string }>;
    const firstLayer = async (archive: string) => (JSON.parse((await run('tar', ['-xOf', archive, 'manifest.json'])).stdout) as Array<{ Layers: string[] }>)[0].Layers;
    const [gateway, fake, runner] = await Promise.all(['gateway', 'fake-provider', 'load-runner'].map((name) => firstLayer(manifest[name].archive)));
    expect(gateway).toHaveLength(2);
    expect(new Set([gateway[0], fake[0], runner[0]]).size).toBe(1);
  }, 180_000);

  it('the gateway runs as 10001 on a read-only root, answers /health/ready, and sends a chat completion through a Service to the fake provider', async () => {
    await kubectlOk(paths, ['apply', '-f', '-'], { input: appObjects(images) });
    await kubectlOk(paths, ['-n', NAMESPACE, 'rollout', 'status', 'deployment/fake-provider', 'deployment/gateway', '--timeout=150s'], { timeoutMs: 160_000 });

    const identity = await nodeIn(
      'deploy/gateway',
      `const fs = require('fs');
       let app = 'writable'; try { fs.writeFileSync('/app/x', 'x'); } catch (e) { app = e.code; }
       fs.writeFileSync('/tmp/x', 'x');
       process.stdout.write(JSON.stringify({ uid: process.getuid(), gid: process.getgid(), app, cwd: process.cwd(), env: process.env.NODE_ENV, node: process.version }));`,
    );
    expect(JSON.parse(identity)).toEqual({ uid: 10001, gid: 10001, app: 'EROFS', cwd: '/app', env: 'production', node: `v${process.versions.node}` });

    const nodePort = (await kubectlOk(paths, ['-n', NAMESPACE, 'get', 'service', 'gateway', '-o', 'jsonpath={.spec.ports[0].nodePort}'])).trim();
    const gateway = `http://${paths.linkNamespaceIp}:${nodePort}`;
    const ready = await eventually('the gateway to answer through its NodePort', 60_000, async () => {
      const res = await fetch(`${gateway}/health/ready`, { signal: AbortSignal.timeout(5_000) });
      return res.status === 200 ? res.json() : undefined;
    });
    expect(ready).toMatchObject({ status: 'ok' });

    const before = await fakeStats();
    const res = await fetch(`${gateway}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hello from the images spec' }] }),
      signal: AbortSignal.timeout(30_000),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-llm-hub-provider')).toBe('openai');
    const body = (await res.json()) as { object: string; choices: Array<{ message: { content: string } }> };
    expect(body.object).toBe('chat.completion');
    expect(body.choices[0].message.content.length).toBeGreaterThan(0);
    const after = await fakeStats();
    expect(after.requests).toBe(before.requests + 1);
    expect(after.lastRequest?.path).toBe('/v1/chat/completions');
    expect(after.lastRequest?.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
  }, 240_000);

  it('the load runner image runs a scenario as a Job against the gateway Service, and its result is the last log line', async () => {
    const before = await fakeStats();
    await kubectlOk(paths, ['apply', '-f', '-'], { input: loadRunnerJob(images['load-runner']) });
    // A pod start and a Node start on a loaded 2-core node: minutes, not seconds, at worst.
    const done = await kubectl(paths, ['-n', NAMESPACE, 'wait', '--for=condition=complete', 'job/load-runner', '--timeout=300s'], { timeoutMs: 310_000 });
    const logs = await kubectl(paths, ['-n', NAMESPACE, 'logs', 'job/load-runner']);
    if (done.code !== 0) {
      const pods = await kubectl(paths, ['-n', NAMESPACE, 'get', 'pods', '-l', 'job-name=load-runner', '-o', 'wide']);
      throw new Error(`the load runner Job did not complete: ${done.stderr}\n${pods.stdout}\n--- its log ---\n${logs.stdout}${logs.stderr}`);
    }
    const pod = JSON.parse(await kubectlOk(paths, ['-n', NAMESPACE, 'get', 'pods', '-l', 'job-name=load-runner', '-o', 'json'])) as {
      items: Array<{ status: { containerStatuses: Array<{ state: { terminated?: { exitCode: number } } }> } }>;
    };
    expect(pod.items[0].status.containerStatuses[0].state.terminated?.exitCode).toBe(0);
    const result = JSON.parse(logs.stdout.trim().split('\n').at(-1)!) as { scenario: string; target: string; requests: number; failed: number; thresholdsPassed: boolean };
    expect(result).toMatchObject({ scenario: 'smoke', target: 'http://gateway', requests: LOAD_REQUESTS, failed: 0, thresholdsPassed: true });
    // Its requests went through the gateway to the fake provider.
    expect((await fakeStats()).requests).toBe(before.requests + LOAD_REQUESTS);
  }, 360_000);

  it("a Redis pod made from the chart's bundled StatefulSet (its start.sh, probes, config, user) answers PING via redis-cli", async () => {
    const { repository, tag } = imageValues(images.redis);
    const objects = await helmTemplateAsync({
      set: { 'redis.mode': 'bundled', 'redis.bundled.persistence.enabled': false, 'redis.bundled.image.repository': repository, 'redis.bundled.image.tag': tag },
      extraArgs: ['--show-only', 'templates/redis-configmap.yaml', '--show-only', 'templates/redis-secret.yaml', '--show-only', 'templates/redis-statefulset.yaml'],
    });
    const byKind = (kind: string) => objects.find((o) => o.kind === kind)! as unknown as { metadata: { name: string; namespace?: string } };
    const statefulSet = byKind('StatefulSet') as unknown as {
      metadata: { name: string };
      spec: { template: { metadata: { labels: Record<string, string> }; spec: { containers: Array<{ image: string }> } } };
    };
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `${statefulSet.metadata.name}-0`, labels: statefulSet.spec.template.metadata.labels },
      spec: { ...statefulSet.spec.template.spec, terminationGracePeriodSeconds: 1 },
    };
    expect(pod.spec.containers[0].image).toBe(images.redis);
    for (const object of [byKind('ConfigMap'), byKind('Secret'), pod]) {
      const { namespace: _chartNamespace, ...metadata } = object.metadata as { namespace?: string };
      await kubectlOk(paths, ['-n', NAMESPACE, 'apply', '-f', '-'], { input: JSON.stringify({ ...object, metadata }) });
    }
    // Ready means the chart's readiness probe (probe.sh: timeout + redis-cli) passed in the image.
    await kubectlOk(paths, ['-n', NAMESPACE, 'wait', '--for=condition=Ready', `pod/${pod.metadata.name}`, '--timeout=120s'], { timeoutMs: 130_000 });

    const target = `pod/${pod.metadata.name}`;
    expect((await inPod(target, ['redis-cli', 'ping'])).trim()).toBe('PONG');
    const info = await inPod(target, ['redis-cli', 'info', 'server']);
    expect(info).toMatch(new RegExp(`^redis_version:${tag.split('-')[0].replace(/\./g, '\\.')}\\r?$`, 'm'));
    // The chart's redis.conf: a cluster node (one alone, with no slots, is in state fail).
    expect(await inPod(target, ['redis-cli', 'cluster', 'info'])).toMatch(/^cluster_state:fail\r?$/m);
    // start.sh ran as the chart's user and handed over to redis-server (PID 1) with the chart's config.
    expect((await inPod(target, ['awk', '/^Uid:/ { print $2 }', '/proc/1/status'])).trim()).toBe('999');
    expect(await inPod(target, ['sh', '-c', 'tr "\\0" " " </proc/1/cmdline'])).toMatch(/^redis-server \*:6379 \[cluster\]/);
    // Every command the chart's Redis scripts call (cluster-create.sh too) is in the image.
    const missing = await inPod(target, ['sh', '-c', 'for c in sh awk sed sort mv tr sleep timeout getent redis-cli redis-server; do command -v $c >/dev/null || echo $c; done']);
    expect(missing).toBe('');
  }, 240_000);
});
