/**
 * The child registry's records on disk, and the reaper that kills what they name (docs/testing.md).
 *
 * children.ts writes one record per child it spawns, in the run directory that jest's global setup
 * names in LLM_HUB_TEST_RUN_DIR. Each child leads its own process group (it is spawned detached),
 * so killing the group also kills what it started: a gateway's fake upstream, redis-server nodes a
 * script left running, npm's children. The jest environment, jest's global teardown and
 * scripts/jest.sh (after jest, whatever became of it) all reap through here.
 *
 * Also a CLI, run by Node's type stripping: `node apps/gateway/test/support/reap.ts <run dir>`.
 * Hence node: imports only, and only TypeScript that strips to JavaScript.
 */
import { readdirSync, readFileSync, writeFileSync, type Dirent } from 'node:fs';
import { join } from 'node:path';

export const RUN_DIR_ENV = 'LLM_HUB_TEST_RUN_DIR';

export interface ChildRecord {
  /** The child's pid, which is also its process group's id. */
  pid: number;
  /**
   * When it started (field 22 of /proc/<pid>/stat), so a recycled pid is never taken for it:
   * pids wrap at 32768 on small machines. Null where there is no /proc.
   */
  startTime: string | null;
  command: string;
  /** The process that spawned it: a jest worker, or jest itself when it runs in band. */
  owner: number;
}

interface ProcessInfo {
  pgid: number;
  state: string;
  startTime: string;
}

/** Field 22 of /proc/<pid>/stat, or null when the process (or /proc) is not there. */
export function startTimeOf(pid: number): string | null {
  return readStat(String(pid))?.startTime ?? null;
}

function readStat(pid: string): ProcessInfo | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The fields after the command name, which is in parentheses and may hold spaces: state is field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0], pgid: Number(fields[2]), startTime: fields[19] };
}

/** Whether the process that had this pid and start time still runs (not a zombie, not a later process). */
export function processRunning(pid: number, startTime: string | null): boolean {
  const info = readStat(String(pid));
  return info !== null && info.startTime === startTime && info.state !== 'Z' && info.state !== 'X';
}

/** Every process by pid; null without /proc. */
function processTable(): Map<number, ProcessInfo> | null {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  const table = new Map<number, ProcessInfo>();
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const info = readStat(entry);
    if (info) table.set(Number(entry), info);
  }
  return table;
}

/**
 * Pids still running in the record's process group (zombies are dead, just not reaped). None when
 * the leader's pid now belongs to a later process: Linux only reuses a pid once no process group
 * carries it, so that group is someone else's.
 */
function liveMembers(record: ChildRecord, table: Map<number, ProcessInfo>): number[] {
  const leader = table.get(record.pid);
  if (leader && record.startTime !== null && leader.startTime !== record.startTime) return [];
  const members: number[] = [];
  for (const [pid, info] of table) if (info.pgid === record.pid && info.state !== 'Z' && info.state !== 'X') members.push(pid);
  return members;
}

/** The records whose group still has a running member. */
export function liveRecords(records: ChildRecord[]): ChildRecord[] {
  if (records.length === 0) return []; // most test files start no process: skip reading /proc
  const table = processTable();
  if (!table) return records.filter((record) => signalGroup(record.pid, 0));
  return records.filter((record) => liveMembers(record, table).length > 0);
}

/** Whether process.kill(-pgid, signal) reached anyone. */
function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // ESRCH: gone already
  }
}

/** SIGKILLs every recorded group that still has a running member; returns those records. */
export function killRecords(records: ChildRecord[]): ChildRecord[] {
  const live = liveRecords(records);
  for (const record of live) signalGroup(record.pid, 'SIGKILL');
  return live;
}

/** Kills, then waits (bounded) until the groups are gone: what had to be killed, and what is still alive. */
export async function reap(records: ChildRecord[], timeoutMs = 10_000): Promise<{ killed: ChildRecord[]; left: ChildRecord[] }> {
  const killed = killRecords(records);
  let left = killed;
  const deadline = Date.now() + timeoutMs;
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50)); // poll interval: a SIGKILLed process is gone within milliseconds
    left = liveRecords(left);
  }
  return { killed, left };
}

export function writeRecord(dir: string, record: ChildRecord): void {
  writeFileSync(join(dir, `${record.pid}-${record.startTime ?? 'unknown'}.json`), JSON.stringify(record));
}

/**
 * Every record in a run directory and its subdirectories (none when it is missing). A jest run
 * by a test (test-harness.e2e-spec.ts) records its children in a subdirectory of the outer run's.
 */
export function readRecords(dir: string): ChildRecord[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const records: ChildRecord[] = [];
  for (const entry of entries) {
    if (entry.isDirectory()) records.push(...readRecords(join(dir, entry.name)));
    if (!entry.isFile() || !entry.name.endsWith('.json')) continue;
    try {
      records.push(JSON.parse(readFileSync(join(dir, entry.name), 'utf8')) as ChildRecord);
    } catch {
      // half-written by a worker killed mid-write: its child is a few microseconds old, and in its group
    }
  }
  return records;
}

export function describeRecord(record: ChildRecord): string {
  return `pid ${record.pid} (${record.command})`;
}

// `node reap.ts <run dir>`: under jest, argv[1] is jest's own script.
if (/(^|[/\\])reap\.ts$/.test(process.argv[1] ?? '') && process.argv[2]) {
  void reap(readRecords(process.argv[2])).then(({ killed, left }) => {
    if (killed.length > 0) console.error(`reap: killed test children left running after jest: ${killed.map(describeRecord).join(', ')}`);
    if (left.length > 0) {
      console.error(`reap: still running after SIGKILL: ${left.map(describeRecord).join(', ')}`);
      process.exitCode = 1;
    }
  });
}
