/**
 * Section 5's Redis Cluster: six local nodes (3 masters + 3 replicas) started and purged with
 * scripts/redis-cluster.sh, in a data dir of their own under the OS temp dir. The nodes run as
 * daemons (their own session), so neither the bench's 'exit' hook for its children nor a Ctrl-C
 * reaches them: while a cluster is up, an 'exit' hook and SIGINT/SIGTERM handlers purge it.
 */
import { execFile, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

const SCRIPT = join(__dirname, '../../scripts/redis-cluster.sh');
const HOST = '127.0.0.1';
/** The script waits up to 30 s for cluster_state:ok; starting six nodes comes on top. */
const START_TIMEOUT_MS = 90_000;
/** The script gives nodes 10 s to go, then SIGKILLs them and waits 5 s more. */
const STOP_TIMEOUT_MS = 40_000;

/** `host:port` of the six nodes on ports portBase..portBase+5. */
export function clusterNodes(portBase: number): string[] {
  return Array.from({ length: 6 }, (_, i) => `${HOST}:${portBase + i}`);
}

/** The first executable file called `name` in the directories of a PATH string; null when none. */
export function findExecutable(name: string, path: string | undefined): string | null {
  for (const dir of (path ?? '').split(delimiter)) {
    if (dir === '') continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * Why a cluster cannot be started here, or null when it can. The script would install Redis with
 * apt-get when it is missing; the bench does not install anything, it skips the run instead.
 */
export function redisMissing(path = process.env.PATH): string | null {
  const missing = ['redis-server', 'redis-cli'].filter((name) => findExecutable(name, path) === null);
  if (missing.length === 0) return null;
  return `${missing.join(' and ')} not found on PATH (install Redis >= 7, e.g. with scripts/install-redis.sh)`;
}

function runScript(args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    // SIGKILL: bash defers a SIGTERM until its current command (e.g. a redis-cli that hangs) returns.
    execFile('bash', [SCRIPT, ...args], { timeout: timeoutMs, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      if (error) {
        const how = error.killed ? `killed after ${timeoutMs} ms` : `exit code ${String(error.code)}`;
        reject(new Error(`scripts/redis-cluster.sh ${args.join(' ')} failed (${how}):\n${`${stdout}${stderr}`.trim()}`));
      } else {
        resolve(`${stdout}${stderr}`.trim());
      }
    });
  });
}

export class BenchRedisCluster {
  readonly nodes: string[];
  private stopped = false;
  private readonly exitHook = () => this.stopSync();
  private readonly signalHook = (signal: NodeJS.Signals) => {
    this.stopSync();
    process.exit(signal === 'SIGINT' ? 130 : 143); // the 'exit' hook in processes.ts kills the children
  };

  private constructor(
    readonly portBase: number,
    readonly dir: string,
  ) {
    this.nodes = clusterNodes(portBase);
  }

  /** Starts a fresh cluster; on failure, whatever did start is purged before the error is thrown. */
  static async start(portBase: number, log: (message: string) => void): Promise<BenchRedisCluster> {
    const cluster = new BenchRedisCluster(portBase, mkdtempSync(join(tmpdir(), `llm-hub-bench-redis-${portBase}-`)));
    process.once('exit', cluster.exitHook);
    process.once('SIGINT', cluster.signalHook);
    process.once('SIGTERM', cluster.signalHook);
    try {
      log(await runScript(['start', ...cluster.args()], START_TIMEOUT_MS));
    } catch (error) {
      let cleanup = 'what did start was stopped and purged';
      try {
        await cluster.stop(log);
      } catch (stopError) {
        cleanup = `cleaning up failed too: ${stopError instanceof Error ? stopError.message : String(stopError)}`;
      }
      throw new Error(
        `${error instanceof Error ? error.message : String(error)}\n` +
          `(ports ${portBase}..${portBase + 5} and ${portBase + 10_000}..${portBase + 10_005} must be free; BENCH_REDIS_PORT_BASE picks others; ${cleanup})`,
        { cause: error },
      );
    }
    return cluster;
  }

  /** The redis-server pids by name (`redis 7600`, ...), for the CPU figures; nodes without a readable pidfile are left out. */
  pids(): Record<string, number> {
    const pids: Record<string, number> = {};
    for (const node of this.nodes) {
      const port = node.slice(node.lastIndexOf(':') + 1);
      try {
        const pid = Number(readFileSync(join(this.dir, port, 'redis.pid'), 'utf8').trim());
        if (Number.isInteger(pid) && pid > 0) pids[`redis ${port}`] = pid;
      } catch {
        // no pidfile: its CPU shows up as "anything else"
      }
    }
    return pids;
  }

  /** Stops every node and deletes the data dir. Safe to call twice. */
  async stop(log: (message: string) => void): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.unhook();
    try {
      log(await runScript(['stop', '--purge', ...this.args()], STOP_TIMEOUT_MS));
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  private stopSync(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.unhook();
    spawnSync('bash', [SCRIPT, 'stop', '--purge', ...this.args()], { stdio: 'ignore', timeout: STOP_TIMEOUT_MS, killSignal: 'SIGKILL' });
    rmSync(this.dir, { recursive: true, force: true });
  }

  private unhook(): void {
    process.removeListener('exit', this.exitHook);
    process.removeListener('SIGINT', this.signalHook);
    process.removeListener('SIGTERM', this.signalHook);
  }

  private args(): string[] {
    return ['--port-base', String(this.portBase), '--dir', this.dir];
  }
}
