/**
 * CPU time used by the benchmark's processes, to show who used the shared cores during a run.
 * Children are read from /proc/<pid>/stat (Linux; USER_HZ is 100 there), this process from
 * process.cpuUsage(). Null where /proc is not available.
 */
import { readFileSync } from 'node:fs';

const USER_HZ = 100;

/** User + system CPU seconds the process has used so far, or null when unknown. */
export function cpuSeconds(pid: number): number | null {
  if (pid === process.pid) {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1e6;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
  } catch {
    return null;
  }
}

/** CPU seconds each named process used while `work` ran. */
export async function withCpu<T>(pids: Record<string, number>, work: () => Promise<T>): Promise<{ result: T; cpuS: Record<string, number | null> }> {
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  const result = await work();
  const cpuS: Record<string, number | null> = {};
  for (const [name, pid] of Object.entries(pids)) {
    const start = before[name];
    const end = cpuSeconds(pid);
    cpuS[name] = start === null || end === null ? null : end - start;
  }
  return { result, cpuS };
}
