/**
 * Peak memory and open files of the benchmark's processes during a run, sampled from
 * /proc/<pid>/status (VmRSS) and /proc/<pid>/fd (Linux). VmHWM would give the peak RSS exactly,
 * but over the whole life of the process, and each gateway serves several runs.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface Peak {
  /** Highest resident set size seen, MiB; null where /proc is not available. */
  rssMiB: number | null;
  /** Most open file descriptors seen; null where unknown. */
  fds: number | null;
}

/** Resident set size in MiB, or null. */
function rssMiB(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

function openFiles(pid: number): number | null {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return null;
  }
}

const max = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.max(a, b));

/** Samples every `intervalMs` while `work` runs; resolves its result and each process's peak. */
export async function withPeaks<T>(pids: Record<string, number>, work: () => Promise<T>, intervalMs = 250): Promise<{ result: T; peaks: Record<string, Peak> }> {
  const peaks: Record<string, Peak> = Object.fromEntries(Object.keys(pids).map((name) => [name, { rssMiB: null, fds: null }]));
  const sample = () => {
    for (const [name, pid] of Object.entries(pids)) {
      peaks[name] = { rssMiB: max(peaks[name].rssMiB, rssMiB(pid)), fds: max(peaks[name].fds, openFiles(pid)) };
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  try {
    const result = await work();
    sample();
    return { result, peaks };
  } finally {
    clearInterval(timer);
  }
}
