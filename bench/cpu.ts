/**
 * CPU time used by the benchmark's processes, and by the whole machine, to show who used the shared
 * cores during a run (and whether anything else was running).
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

/** Busy CPU seconds of the whole machine so far (all cores, every process), from /proc/stat; null when unknown. */
function machineCpuSeconds(): number | null {
  try {
    // cpu  user nice system idle iowait irq softirq steal ...
    const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = fields;
    return (user + nice + system + irq + softirq + (steal ?? 0)) / USER_HZ;
  } catch {
    return null;
  }
}

/** Key under which withCpu reports the whole machine's busy CPU seconds (to spot other load). */
export const MACHINE = 'machine';

/** CPU seconds each named process, and the whole machine (`MACHINE`), used while `work` ran. */
export async function withCpu<T>(pids: Record<string, number>, work: () => Promise<T>): Promise<{ result: T; cpuS: Record<string, number | null> }> {
  const read = (): Record<string, number | null> => ({
    ...Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)])),
    [MACHINE]: machineCpuSeconds(),
  });
  const before = read();
  const result = await work();
  const after = read();
  const cpuS: Record<string, number | null> = {};
  for (const name of Object.keys(after)) {
    const start = before[name];
    const end = after[name];
    cpuS[name] = start === null || end === null ? null : end - start;
  }
  return { result, cpuS };
}

/** CPU seconds the machine spent on anything but the named processes during a run; null when unknown. */
export function otherCpuSeconds(cpuS: Record<string, number | null> | undefined): number | null {
  if (!cpuS || cpuS[MACHINE] == null) return null;
  let others = cpuS[MACHINE];
  for (const [name, value] of Object.entries(cpuS)) {
    if (name === MACHINE) continue;
    if (value === null) return null;
    others -= value;
  }
  return others;
}
