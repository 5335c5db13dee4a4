import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { apiCredentials, CLUSTER_SCRIPT, eventually, kubectl, kubectlOk, run, type ClusterPaths } from '../support/cluster';
import { ACQUIRE_TIMEOUT_MS, acquireCluster, releaseCluster, TAKE_DOWN_TIMEOUT_MS, takeDownCluster } from '../support/shared-cluster';

/**
 * The cluster harness (scripts/cluster.sh) for real: a one-node Kubernetes 1.34 with kubelet,
 * containerd, runc, the bridge CNI, kube-proxy and the add-ons, inside namespaces of its own.
 * The steps build on each other (a Deployment, then a Service in front of it, ...), so they run
 * in order; the last one tears the cluster down and checks that nothing is left. The cluster is
 * the run's shared one (support/shared-cluster.ts): this spec runs after the other cluster specs
 * (support/jest-sequencer.js), and its last test waits until none of them uses the cluster.
 */

const NAMESPACE = 'harness-spec';
const PROBE_IMAGE = `harness-spec/probe:${process.pid}`;

/** GET on the API server from this (host) process, with the kubeconfig's CA and token, as any client library does. */
function apiGet(paths: ClusterPaths, path: string): Promise<{ status: number; body: string }> {
  const { server, ca, token } = apiCredentials(paths);
  return new Promise((resolveGet, reject) => {
    const req = request(new URL(path, server), { ca, headers: { authorization: `Bearer ${token}` }, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolveGet({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

function probeObjects(image: string): string {
  return `
apiVersion: v1
kind: Namespace
metadata: {name: ${NAMESPACE}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: probe, namespace: ${NAMESPACE}}
spec:
  replicas: 2
  selector: {matchLabels: {app: probe}}
  template:
    metadata: {labels: {app: probe}}
    spec:
      containers:
        - name: probe
          image: ${image}
          imagePullPolicy: Never
          args: [serve, ':8080']
          ports: [{containerPort: 8080}]
          readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1}
          resources: {requests: {cpu: 5m, memory: 8Mi}}
---
apiVersion: v1
kind: Service
metadata: {name: probe, namespace: ${NAMESPACE}}
spec:
  selector: {app: probe}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: probe-nodeport, namespace: ${NAMESPACE}}
spec:
  type: NodePort
  selector: {app: probe}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: ${NAMESPACE}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: client
      image: ${image}
      imagePullPolicy: Never
      args: [sleep]
      resources: {requests: {cpu: 5m, memory: 8Mi}}
`;
}

describe('cluster harness: a real one-node Kubernetes', () => {
  let paths: ClusterPaths;

  beforeAll(async () => {
    paths = await acquireCluster();
  }, ACQUIRE_TIMEOUT_MS);

  // The last test takes the cluster down; when it did not get there, jest's global teardown does.
  afterAll(() => releaseCluster());

  const exec = (args: string[]) => kubectlOk(paths, ['-n', NAMESPACE, 'exec', 'client', '--', '/probe', ...args], { timeoutMs: 30_000 });

  it('the node is Ready, runs Kubernetes v1.34.2, and the host reaches the API server with the kubeconfig', async () => {
    const node = JSON.parse(await kubectlOk(paths, ['get', 'node', paths.nodeName, '-o', 'json'])) as {
      status: { conditions: Array<{ type: string; status: string }>; nodeInfo: { kubeletVersion: string; containerRuntimeVersion: string } };
    };
    expect(node.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(node.status.nodeInfo.kubeletVersion).toBe('v1.34.2');
    expect(node.status.nodeInfo.containerRuntimeVersion).toMatch(/^containerd:\/\//);

    const version = await apiGet(paths, '/version');
    expect(version.status).toBe(200);
    expect(JSON.parse(version.body)).toMatchObject({ gitVersion: 'v1.34.2', major: '1', minor: '34' });
    const nodes = await apiGet(paths, '/api/v1/nodes');
    expect(JSON.parse(nodes.body).items.map((n: { metadata: { name: string } }) => n.metadata.name)).toEqual([paths.nodeName]);
  }, 60_000);

  it('an image assembled without Docker is imported, and a Deployment of it rolls out', async () => {
    const archive = join(paths.clusterDir, 'spec-probe.tar');
    const built = await run(paths.imageScript, ['--ref', PROBE_IMAGE, '--out', archive, '--file', `${paths.probeBinary}:/probe`, '--entrypoint', '/probe'], {
      timeoutMs: 60_000,
    });
    if (built.code !== 0) throw new Error(built.stderr);
    const imported = await run(CLUSTER_SCRIPT, ['import-image', archive], { timeoutMs: 60_000 });
    if (imported.code !== 0) throw new Error(imported.stderr);
    expect(await kubectlOk(paths, ['apply', '-f', '-'], { input: probeObjects(PROBE_IMAGE) })).toMatch(/deployment.apps\/probe/);

    await kubectlOk(paths, ['-n', NAMESPACE, 'rollout', 'status', 'deployment/probe', '--timeout=90s'], { timeoutMs: 100_000 });
    await kubectlOk(paths, ['-n', NAMESPACE, 'wait', '--for=condition=Ready', 'pod/client', '--timeout=60s'], { timeoutMs: 70_000 });
    const pods = JSON.parse(await kubectlOk(paths, ['-n', NAMESPACE, 'get', 'pods', '-l', 'app=probe', '-o', 'json'])) as {
      items: Array<{ spec: { containers: Array<{ image: string }> }; status: { podIP: string } }>;
    };
    expect(pods.items).toHaveLength(2);
    for (const pod of pods.items) {
      expect(pod.spec.containers[0].image).toBe(PROBE_IMAGE);
      expect(pod.status.podIP).toMatch(/^10\.244\.0\.\d+$/);
    }
  }, 240_000);

  it('a ClusterIP Service answers through kube-proxy from another pod, from both replicas', async () => {
    const clusterIp = (await kubectlOk(paths, ['-n', NAMESPACE, 'get', 'service', 'probe', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    expect(clusterIp).toMatch(/^10\.96\.\d+\.\d+$/);
    const podNames = (await kubectlOk(paths, ['-n', NAMESPACE, 'get', 'pods', '-l', 'app=probe', '-o', 'jsonpath={.items[*].metadata.name}'])).split(' ');
    const answeredBy = new Set<string>();
    await eventually('both replicas to answer through the Service', 60_000, async () => {
      const out = await exec(['get', `http://${clusterIp}/`]);
      const match = /^200 probe (\S+)$/.exec(out.trim());
      if (!match) throw new Error(`unexpected answer ${out}`);
      answeredBy.add(match[1]);
      return answeredBy.size === 2 ? true : undefined;
    });
    expect([...answeredBy].sort()).toEqual([...podNames].sort());
  }, 90_000);

  it('a NodePort Service answers the host on the host link', async () => {
    const nodePort = (await kubectlOk(paths, ['-n', NAMESPACE, 'get', 'service', 'probe-nodeport', '-o', 'jsonpath={.spec.ports[0].nodePort}'])).trim();
    const answer = await eventually('the NodePort to answer', 30_000, async () => {
      const res = await fetch(`http://${paths.linkNamespaceIp}:${nodePort}/`, { signal: AbortSignal.timeout(5_000) });
      return res.status === 200 ? res.text() : undefined;
    });
    expect(answer).toMatch(/^probe probe-\S+\n$/);
  }, 60_000);

  it('DNS names resolve through CoreDNS (the kube-dns Service), and only cluster names', async () => {
    const clusterIp = (await kubectlOk(paths, ['-n', NAMESPACE, 'get', 'service', 'probe', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    const dnsIp = (await kubectlOk(paths, ['-n', 'kube-system', 'get', 'service', 'kube-dns', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    expect(await exec(['lookup', `probe.${NAMESPACE}.svc.cluster.local`])).toBe(`${clusterIp}\n`);
    expect(await exec(['lookup', 'kubernetes.default'])).toBe('10.96.0.1\n');
    // The short name goes through the pod's search domains, as an application's would.
    expect((await exec(['get', 'http://probe/'])).trim()).toMatch(/^200 probe probe-/);
    expect(dnsIp).toBe('10.96.0.10');
    expect(await exec(['cat', '/etc/resolv.conf'])).toMatch(new RegExp(`^nameserver ${dnsIp.replace(/\./g, '\\.')}$`, 'm'));
    // No forward plugin: nothing outside the cluster resolves, so nothing leaves the machine.
    const outside = await kubectl(paths, ['-n', NAMESPACE, 'exec', 'client', '--', '/probe', 'lookup', 'example.com.'], { timeoutMs: 30_000 });
    expect(outside.code).not.toBe(0);
  }, 90_000);

  it('metrics.k8s.io answers through metrics-server, and kubectl top shows the pods', async () => {
    const nodeMetrics = await eventually('node metrics', 150_000, async () => {
      const out = await kubectl(paths, ['get', '--raw', `/apis/metrics.k8s.io/v1beta1/nodes/${paths.nodeName}`]);
      return out.code === 0 ? (JSON.parse(out.stdout) as { usage: { cpu: string; memory: string } }) : undefined;
    });
    expect(nodeMetrics.usage.cpu).toMatch(/^\d+n$/);
    expect(nodeMetrics.usage.memory).toMatch(/^\d+Ki$/);
    const top = await eventually('kubectl top pod', 90_000, async () => {
      const out = await kubectl(paths, ['-n', NAMESPACE, 'top', 'pod', '-l', 'app=probe', '--no-headers']);
      return out.code === 0 && out.stdout.trim().split('\n').length === 2 ? out.stdout : undefined;
    });
    expect(top).toMatch(/^probe-\S+\s+\d+m\s+\d+Mi\s*$/m);
  }, 260_000);

  it('a PVC on the default StorageClass binds, and its volume is a directory under the cluster dir', async () => {
    const defaultClass = await kubectlOk(paths, ['get', 'storageclass', 'local-path', '-o', 'jsonpath={.metadata.annotations.storageclass\\.kubernetes\\.io/is-default-class}']);
    expect(defaultClass).toBe('true');
    await kubectlOk(paths, ['apply', '-f', '-'], {
      input: `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: ${NAMESPACE}}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 16Mi}}
---
apiVersion: v1
kind: Pod
metadata: {name: writer, namespace: ${NAMESPACE}}
spec:
  restartPolicy: Never
  containers:
    - name: writer
      image: ${PROBE_IMAGE}
      imagePullPolicy: Never
      args: [write, /data/hello.txt, written-in-a-pod]
      volumeMounts: [{name: data, mountPath: /data}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]
`,
    });
    await kubectlOk(paths, ['-n', NAMESPACE, 'wait', '--for=jsonpath={.status.phase}=Succeeded', 'pod/writer', '--timeout=120s'], { timeoutMs: 130_000 });
    const pvc = JSON.parse(await kubectlOk(paths, ['-n', NAMESPACE, 'get', 'pvc', 'data', '-o', 'json'])) as {
      spec: { storageClassName: string; volumeName: string };
      status: { phase: string };
    };
    expect(pvc.status.phase).toBe('Bound');
    expect(pvc.spec.storageClassName).toBe('local-path');
    const volumeDir = readdirSync(paths.storageDir).find((name) => name.startsWith(pvc.spec.volumeName));
    expect(volumeDir).toBeDefined();
    expect(readFileSync(join(paths.storageDir, volumeDir!, 'hello.txt'), 'utf8')).toBe('written-in-a-pod');
  }, 180_000);

  it("KEDA's CRDs are served, its operator is Ready and external.metrics.k8s.io is available", async () => {
    const resources = await kubectlOk(paths, ['api-resources', '--api-group=keda.sh', '-o', 'name']);
    expect(resources.split('\n')).toEqual(expect.arrayContaining(['scaledobjects.keda.sh', 'scaledjobs.keda.sh', 'triggerauthentications.keda.sh']));
    expect(await kubectlOk(paths, ['get', 'scaledobjects', '-A'])).toBe('');
    await kubectlOk(paths, ['-n', 'keda', 'wait', '--for=condition=Available', 'deployment/keda-operator', 'deployment/keda-metrics-apiserver', '--timeout=60s'], {
      timeoutMs: 70_000,
    });
    await kubectlOk(paths, ['wait', '--for=condition=Available', 'apiservice/v1beta1.external.metrics.k8s.io', '--timeout=60s'], { timeoutMs: 70_000 });
    const external = JSON.parse(await kubectlOk(paths, ['get', '--raw', '/apis/external.metrics.k8s.io/v1beta1'])) as { groupVersion: string };
    expect(external.groupVersion).toBe('external.metrics.k8s.io/v1beta1');
  }, 150_000);

  it('after down nothing is left: no process, network namespace, mount, cgroup or host link', async () => {
    const netnsInode = `${statSync(paths.netnsFile).dev}:${statSync(paths.netnsFile).ino}`;
    const pidFiles = readdirSync(join(paths.clusterDir, 'pids'));
    expect(pidFiles.sort()).toEqual(['containerd', 'etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-proxy', 'kube-scheduler', 'kubelet']);
    const pids = pidFiles.map((name) => Number(readFileSync(join(paths.clusterDir, 'pids', name), 'utf8').split(' ')[0]));
    const inCluster = processesIn(paths.netnsFile);
    // Control plane, kubelet, containerd, shims and the pods' processes.
    expect(inCluster.length).toBeGreaterThan(pids.length);

    await takeDownCluster();

    expect(processesIn(paths.netnsFile, netnsInode)).toEqual([]);
    expect(inCluster.filter((pid) => existsSync(`/proc/${pid}`) && !isZombie(pid))).toEqual([]);
    expect(existsSync(paths.netnsFile)).toBe(false);
    expect((await run('ip', ['netns', 'list'])).stdout).not.toContain(paths.netns);
    expect((await run('ip', ['link', 'show', paths.linkInterface])).code).not.toBe(0);
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(paths.clusterDir);
    const cgroups = readdirSync('/sys/fs/cgroup').filter((hierarchy) => existsSync(join('/sys/fs/cgroup', hierarchy, paths.cgroupRoot)));
    expect(cgroups).toEqual([]);
    expect(readdirSync(paths.clusterDir).sort()).toEqual(expect.not.arrayContaining(['pids', 'ns', 'var-lib', 'storage', 'containerd']));
  }, TAKE_DOWN_TIMEOUT_MS);
});

/** PIDs whose network namespace is the one bound at nsFile (or, once it is gone, has the given dev:inode). */
function processesIn(nsFile: string, knownInode?: string): number[] {
  const target = knownInode ?? `${statSync(nsFile).dev}:${statSync(nsFile).ino}`;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const st = statSync(`/proc/${entry}/ns/net`);
      if (`${st.dev}:${st.ino}` === target) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

function isZombie(pid: number): boolean {
  try {
    return / Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, ' '));
  } catch {
    return true;
  }
}
