import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runChildSync, signalChild, spawnChild } from '../../../apps/gateway/test/support/children';
import { JEST_PID_ENV } from '../../../apps/gateway/test/support/jest-global-setup';
import { RUN_DIR_ENV } from '../../../apps/gateway/test/support/reap';
import { CLUSTER_SCRIPT, clusterPaths, DOWN_TIMEOUT_MS, startCluster, stopCluster, UP_TIMEOUT_MS, type ClusterPaths } from './cluster';
import type { RunResult } from './render';

/**
 * One cluster per test run, shared by every cluster spec (deploy/test/cluster/). Bringing it up
 * takes about a minute, and two specs must never run `up` on the same CLUSTER_DIR at once (an
 * `up` tears down whatever it finds there).
 *
 *   acquireCluster()   a spec's beforeAll: takes a shared lease on the run's cluster, bringing it up
 *                      when this run has none (yet, or any more);
 *   releaseCluster()   its afterAll: gives the lease back. The cluster stays up for the next spec;
 *   takeDownCluster()  waits until no other spec holds a lease, then runs `down` (the harness spec's
 *                      last test, which then checks that nothing is left);
 *   stopRunCluster()   jest's global teardown: `down`, when this run brought a cluster up.
 *
 * Leases are flock(1) locks on files in the run directory (LLM_HUB_TEST_RUN_DIR), each held by a
 * registered child: shared for a spec that uses the cluster, exclusive for `down` and for the
 * check-then-`up`. A spec that dies drops its lease with its child (the test environment kills it
 * after the file). `up` is told jest's own PID (CLUSTER_OWNER_PID): a jest killed before its
 * global teardown takes the cluster down with it. A spec never runs `up` or `down` itself.
 */

/** A beforeAll that acquires: waiting for another spec's `up`, then perhaps an `up` of its own. */
export const ACQUIRE_TIMEOUT_MS = 2 * UP_TIMEOUT_MS;
/** How long takeDownCluster waits for the other specs' leases: as long as a cluster spec may run. */
const TAKE_DOWN_WAIT_MS = 30 * 60_000;
export const TAKE_DOWN_TIMEOUT_MS = TAKE_DOWN_WAIT_MS + DOWN_TIMEOUT_MS;

function runFile(name: string): string {
  const dir = process.env[RUN_DIR_ENV];
  if (!dir) throw new Error(`${RUN_DIR_ENV} is not set: run jest with its global setup (jest.config.js)`);
  return join(dir, name);
}

const LEASE = 'cluster.lock';
const SETUP = 'cluster-up.lock';
/** The generation (scripts/cluster.sh writes a new one on every `up`) of the cluster this run brought up. */
const MARKER = 'cluster.generation';

/** Resolves once flock holds the lock; the lock is held until the child is killed. */
async function lock(file: string, mode: '--shared' | '--exclusive', timeoutMs: number): Promise<ChildProcess> {
  const child = spawnChild('flock', [mode, '--wait', String(Math.ceil(timeoutMs / 1000)), file, 'sh', '-c', 'echo held; exec sleep 86400'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolveLock, reject) => {
    let output = '';
    child.stdout!.setEncoding('utf8').on('data', (data: string) => {
      output += data;
      if (output.includes('held')) resolveLock();
    });
    child.stderr!.setEncoding('utf8').on('data', (data: string) => (output += data));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`flock ${mode} ${file} ended (${code}) before it held the lock (waited ${timeoutMs} ms): ${output}`)));
  });
  return child;
}

function unlock(child: ChildProcess): void {
  signalChild(child, 'SIGKILL');
}

function generation(paths: ClusterPaths): string | undefined {
  const file = join(paths.clusterDir, 'generation');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

/** This test file's lease (each test file has its own module registry). */
let lease: ChildProcess | undefined;

export async function acquireCluster(): Promise<ClusterPaths> {
  lease ??= await lock(runFile(LEASE), '--shared', UP_TIMEOUT_MS);
  const setup = await lock(runFile(SETUP), '--exclusive', UP_TIMEOUT_MS);
  try {
    const paths = await clusterPaths();
    const marker = runFile(MARKER);
    const current = generation(paths);
    if (current === undefined || !existsSync(marker) || readFileSync(marker, 'utf8') !== current) {
      await startCluster(Number(process.env[JEST_PID_ENV] ?? process.pid));
      writeFileSync(marker, generation(paths) ?? '');
    }
    return paths;
  } finally {
    unlock(setup);
  }
}

export function releaseCluster(): void {
  if (lease) unlock(lease);
  lease = undefined;
}

export async function takeDownCluster(): Promise<RunResult> {
  releaseCluster();
  const exclusive = await lock(runFile(LEASE), '--exclusive', TAKE_DOWN_WAIT_MS);
  try {
    const out = await stopCluster();
    rmSync(runFile(MARKER), { force: true });
    return out;
  } finally {
    unlock(exclusive);
  }
}

/** For jest's global teardown (no test file is running any more, so no lease is held). */
export function stopRunCluster(runDir: string): void {
  const marker = join(runDir, MARKER);
  if (!existsSync(marker)) return;
  const out = runChildSync(CLUSTER_SCRIPT, ['down'], { timeoutMs: DOWN_TIMEOUT_MS });
  if (out.code !== 0) console.error(`[cluster] scripts/cluster.sh down failed (exit ${out.code}):\n${out.stdout}${out.stderr}`);
  rmSync(marker, { force: true });
}
