import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The container's limits; a field is absent when that resource is unlimited or unknown. */
export interface ResourceLimits {
  memoryBytes?: number;
  cpuCores?: number;
}

/** cgroup v1 writes "no limit" as a huge page-aligned number (9223372036854771712). */
const V1_UNLIMITED = 2 ** 60;

/**
 * The memory and CPU limits of the container, for the llm_hub_*_limit gauges (dashboards show
 * usage against them). For each resource, first answer wins:
 *   1. env `LLM_HUB_MEMORY_LIMIT_BYTES` / `LLM_HUB_CPU_LIMIT_CORES` or `LLM_HUB_CPU_LIMIT_MILLICORES`
 *      (the Helm chart sets the bytes and the millicores from the Downward API's resourceFieldRef,
 *      with divisor 1m since divisor 1 rounds a CPU limit up to whole cores);
 *   2. cgroup v2: `memory.max`, `cpu.max` ("max" = unlimited);
 *   3. cgroup v1: `memory/memory.limit_in_bytes`, `cpu/cpu.cfs_quota_us` / `cpu.cfs_period_us`.
 * Called once at startup, so the reads are synchronous. `cgroupRoot` is a parameter for tests.
 */
export function readResourceLimits(env: NodeJS.ProcessEnv = process.env, cgroupRoot = '/sys/fs/cgroup'): ResourceLimits {
  const limits: ResourceLimits = {};
  const memoryBytes = positive(env.LLM_HUB_MEMORY_LIMIT_BYTES) ?? memoryFromCgroup(cgroupRoot);
  const millicores = positive(env.LLM_HUB_CPU_LIMIT_MILLICORES);
  const cpuCores = positive(env.LLM_HUB_CPU_LIMIT_CORES) ?? (millicores === undefined ? undefined : millicores / 1000) ?? cpuFromCgroup(cgroupRoot);
  if (memoryBytes !== undefined) limits.memoryBytes = memoryBytes;
  if (cpuCores !== undefined) limits.cpuCores = cpuCores;
  return limits;
}

function memoryFromCgroup(root: string): number | undefined {
  const v2 = read(join(root, 'memory.max'));
  if (v2 !== undefined) return v2 === 'max' ? undefined : positive(v2);
  const v1 = positive(read(join(root, 'memory', 'memory.limit_in_bytes')));
  return v1 !== undefined && v1 < V1_UNLIMITED ? v1 : undefined;
}

function cpuFromCgroup(root: string): number | undefined {
  const v2 = read(join(root, 'cpu.max'));
  if (v2 !== undefined) {
    const [quota, period] = v2.split(/\s+/);
    return quota === 'max' ? undefined : ratio(quota, period);
  }
  // v1 mounts the controller as `cpu` (often a link to `cpu,cpuacct`); -1 is no quota.
  for (const dir of ['cpu', 'cpu,cpuacct']) {
    const quota = read(join(root, dir, 'cpu.cfs_quota_us'));
    if (quota !== undefined) return ratio(quota, read(join(root, dir, 'cpu.cfs_period_us')));
  }
  return undefined;
}

function ratio(quota: string | undefined, period: string | undefined): number | undefined {
  const q = positive(quota);
  const p = positive(period);
  return q !== undefined && p !== undefined ? q / p : undefined;
}

/** A finite number > 0, else undefined (unset, empty, "-1", garbage). */
function positive(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined; // absent: not this cgroup version, or not in a container
  }
}
