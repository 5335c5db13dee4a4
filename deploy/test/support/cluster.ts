import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runChild } from '../../../apps/gateway/test/support/children';
import { REPO_ROOT, type RunResult } from './render';

/**
 * The real one-node cluster of scripts/cluster.sh, for the cluster specs. Specs do not start it
 * themselves: shared-cluster.ts gives every spec of a run the same cluster, brought up once
 * (`startCluster`: the binaries must already be built, `make test` builds them in its system-deps
 * step, so no hook ever waits for a build of many minutes) and taken down at the end of the run
 * (`stopCluster`), whatever happened in between.
 *
 * Commands go through the test-child registry (docs/testing.md). The cluster itself is the one
 * exception to "no daemons": it outlives `up` by design, in sessions of its own, so the registry's
 * reaping of process groups cannot reach it. Its teardown is `down` (by PID, then a sweep of its
 * namespaces and cgroups); and `up` is told jest's PID (CLUSTER_OWNER_PID), so that should jest be
 * killed before its global teardown, a watcher takes the cluster down.
 */

export const CLUSTER_SCRIPT = join(REPO_ROOT, 'scripts/cluster.sh');

/** Hook timeouts: `up` waits for the node and five add-on Deployments on a shared 2-core machine. */
export const UP_TIMEOUT_MS = 8 * 60_000;
export const DOWN_TIMEOUT_MS = 3 * 60_000;

/** What `scripts/cluster.sh paths` prints. */
export interface ClusterPaths {
  clusterDir: string;
  kubeconfig: string;
  apiUrl: string;
  kubectl: string;
  helm: string;
  imageScript: string;
  images: string;
  imagePrefix: string;
  probeBinary: string;
  nodeName: string;
  nodeIp: string;
  linkHostIp: string;
  linkNamespaceIp: string;
  linkInterface: string;
  netns: string;
  netnsFile: string;
  mntnsFile: string;
  cgroupRoot: string;
  storageDir: string;
}

/** Runs a registered command to its end (never throws on a non-zero exit), killed after timeoutMs. */
export async function run(file: string, args: string[], options: { timeoutMs?: number; input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const out = await runChild(file, args, { cwd: REPO_ROOT, env: options.env ?? process.env, timeoutMs, input: options.input });
  const ending = out.timedOut ? `\n(killed after ${timeoutMs} ms)` : out.code === null ? `\n(ended by ${out.signal})` : '';
  return { code: out.code ?? 1, stdout: out.stdout, stderr: `${out.stderr}${ending}` };
}

function cluster(args: string[], timeoutMs: number, ownerPid?: number): Promise<RunResult> {
  const owner = ownerPid === undefined ? {} : { CLUSTER_OWNER_PID: String(ownerPid) };
  return run(CLUSTER_SCRIPT, args, { timeoutMs, env: { ...process.env, CLUSTER_BUILD: 'check', ...owner } });
}

export async function clusterPaths(): Promise<ClusterPaths> {
  const out = await cluster(['paths'], 30_000);
  if (out.code !== 0) throw new Error(`scripts/cluster.sh paths failed:\n${out.stderr}`);
  return JSON.parse(out.stdout) as ClusterPaths;
}

/**
 * `scripts/cluster.sh up`; its output (timings, or the logs of what failed) goes to the test log.
 * The cluster goes down by itself when ownerPid ends.
 */
export async function startCluster(ownerPid: number): Promise<ClusterPaths> {
  const out = await cluster(['up'], UP_TIMEOUT_MS - 30_000, ownerPid);
  if (out.code !== 0) throw new Error(`scripts/cluster.sh up failed (exit ${out.code}):\n${out.stdout}${out.stderr}`);
  return clusterPaths();
}

export async function stopCluster(): Promise<RunResult> {
  const out = await cluster(['down'], DOWN_TIMEOUT_MS - 30_000);
  if (out.code !== 0) throw new Error(`scripts/cluster.sh down failed (exit ${out.code}):\n${out.stdout}${out.stderr}`);
  return out;
}

/** kubectl against the cluster, from the host. */
export function kubectl(paths: ClusterPaths, args: string[], options: { timeoutMs?: number; input?: string } = {}): Promise<RunResult> {
  return run(paths.kubectl, args, { ...options, env: { ...process.env, KUBECONFIG: paths.kubeconfig } });
}

/** kubectl that must succeed; returns stdout. */
export async function kubectlOk(paths: ClusterPaths, args: string[], options: { timeoutMs?: number; input?: string } = {}): Promise<string> {
  const out = await kubectl(paths, args, options);
  if (out.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (exit ${out.code}):\n${out.stderr}`);
  return out.stdout;
}

/** Polls `check` until it returns a value (not undefined), or throws with the last reason after timeoutMs. */
export async function eventually<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 1_000));
  }
}

/** The API server's address, CA and bearer token, from the kubeconfig the script writes. */
export function apiCredentials(paths: ClusterPaths): { server: string; ca: string; token: string } {
  const config = parse(readFileSync(paths.kubeconfig, 'utf8')) as {
    clusters: Array<{ cluster: { server: string; 'certificate-authority-data': string } }>;
    users: Array<{ user: { token: string } }>;
  };
  const { server, 'certificate-authority-data': caData } = config.clusters[0].cluster;
  return { server, ca: Buffer.from(caData, 'base64').toString('utf8'), token: config.users[0].user.token };
}
