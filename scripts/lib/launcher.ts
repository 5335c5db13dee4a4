/**
 * The one launcher of our built Node entry points (the gateway, the fake provider, the bench's
 * floor forwarder) as real child processes, for the e2e tests (apps/gateway/test/support/
 * processes.ts) and for `make bench` (bench/processes.ts); docs/testing.md.
 *
 * A child gets exactly the given environment plus PATH (so provider keys in the caller's
 * environment never turn into extra gateway providers), with its API and metrics listeners on any
 * free port of 127.0.0.1 unless the environment says otherwise. It is ready when it has printed
 * `{"msg":"listening","port":N}`; a gateway also prints `{"msg":"metrics listening","port":N}`, a
 * fake provider with H2C_PORT an `h2cPort`. Past `timeoutMs` without that line it is killed.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LaunchOptions {
  /** For error messages; default the entry point's path. */
  name?: string;
  env: Record<string, string>;
  /** Node flags before the entry point, e.g. `--cpu-prof`. */
  nodeArgs?: readonly string[];
  cwd?: string;
  timeoutMs: number;
  /**
   * `pipe` (default): everything the child writes is kept, and `output()` returns it all.
   * `file`: the child writes to a temporary file that is read only while waiting for readiness and
   * for `output()` (its last OUTPUT_TAIL bytes). The bench needs this: its process is also the load
   * generator, and reading a pipe would put the cost of every request log line on it.
   */
  output?: 'pipe' | 'file';
  /**
   * How the child is spawned and signalled. The tests pass their own (children.ts: a process group
   * of its own, registered for reaping). Default: node's spawn, and a SIGKILL on this process's exit.
   */
  spawn?: (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess;
  signal?: (child: ChildProcess, signal: NodeJS.Signals) => void;
}

export interface RunningProcess {
  name: string;
  child: ChildProcess;
  pid: number;
  port: number;
  url: string;
  /** A gateway's metrics listener, when it has one. */
  metricsUrl?: string;
  /** The fake provider's cleartext HTTP/2 listener, when started with H2C_PORT. */
  h2cUrl?: string;
  /** What the process wrote to stdout and stderr (see LaunchOptions.output). */
  output(): string;
  /** Sends `signal` (default SIGTERM), then SIGKILL after `graceMs` when given; resolves with the exit code (null when a signal ended it). */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | null>;
  exited: Promise<number | null>;
}

/** How much of a child's file output `output()` returns (for error messages). */
const OUTPUT_TAIL = 64 * 1024;
const LISTENING = /\{[^\n]*"msg":"listening"[^\n]*\}/;
const METRICS_LISTENING = /\{[^\n]*"msg":"metrics listening"[^\n]*\}/;

const running = new Set<ChildProcess>();

/** Last resort for children of the default spawn on an abrupt exit of this process: none outlives it. */
process.once('exit', () => {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** Registers a child spawned elsewhere (the bench's load processes) for the same last resort, until it exits. */
export function killOnExit(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
}

function defaultSpawn(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  const child = spawn(command, args, options);
  killOnExit(child);
  return child;
}

export function launch(main: string, options: LaunchOptions): Promise<RunningProcess> {
  const name = options.name ?? main;
  const signal = options.signal ?? ((child: ChildProcess, sig: NodeJS.Signals) => child.kill(sig));
  const output = options.output === 'file' ? fileOutput() : undefined;
  const child = (options.spawn ?? defaultSpawn)(process.execPath, [...(options.nodeArgs ?? []), main], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', PORT: '0', LLM_HUB_METRICS_PORT: '0', ...options.env },
    stdio: output ? ['ignore', output.fd, output.fd] : ['ignore', 'pipe', 'pipe'],
  });
  let piped = '';
  if (output) output.spawned();
  else {
    child.stdout!.on('data', (data: Buffer) => (piped += data.toString()));
    child.stderr!.on('data', (data: Buffer) => (piped += data.toString()));
  }
  const read = output ? output.read : () => piped;
  const exited = new Promise<number | null>((done) =>
    child.once('exit', (code) => {
      // Once the child is gone its file goes too; what it wrote last is kept for error messages.
      output?.close();
      done(code);
    }),
  );

  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearInterval(poll);
      clearTimeout(timer);
      reject(error);
    };
    const check = () => {
      if (settled) return;
      const text = read();
      const line = LISTENING.exec(text);
      if (!line) return;
      settled = true;
      clearInterval(poll);
      clearTimeout(timer);
      const { port, h2cPort } = JSON.parse(line[0]) as { port: number; h2cPort?: number };
      const metrics = METRICS_LISTENING.exec(text);
      resolve({
        name,
        child,
        pid: child.pid!,
        port,
        url: `http://127.0.0.1:${port}`,
        metricsUrl: metrics ? `http://127.0.0.1:${(JSON.parse(metrics[0]) as { port: number }).port}` : undefined,
        h2cUrl: h2cPort === undefined ? undefined : `http://127.0.0.1:${h2cPort}`,
        output: read,
        exited,
        stop: async (sig = 'SIGTERM', graceMs) => {
          if (child.exitCode === null && child.signalCode === null) {
            signal(child, sig);
            const killer = graceMs === undefined ? undefined : setTimeout(() => signal(child, 'SIGKILL'), graceMs);
            await exited;
            clearTimeout(killer);
          }
          return exited;
        },
      });
    };
    // A pipe says when there is news; a file is polled.
    const poll = output ? setInterval(check, 20) : undefined;
    if (!output) child.stdout!.on('data', check);
    const timer = setTimeout(() => {
      if (settled) return;
      signal(child, 'SIGKILL');
      fail(new Error(`${name} did not start within ${options.timeoutMs} ms:\n${read()}`));
    }, options.timeoutMs);
    void exited.then((code) => {
      check();
      fail(new Error(`${name} exited with ${code} before listening:\n${read()}`));
    });
  });
}

/** A child's stdout and stderr in a temporary file (LaunchOptions.output `file`). */
function fileOutput() {
  const dir = mkdtempSync(join(tmpdir(), 'llm-hub-child-'));
  const path = join(dir, 'output.log');
  const fd = openSync(path, 'a');
  let last: string | undefined;
  return {
    fd,
    /** The parent's copy of the descriptor is not needed once the child has its own. */
    spawned: () => closeSync(fd),
    read: () => last ?? tail(path, OUTPUT_TAIL),
    close: () => {
      last ??= tail(path, OUTPUT_TAIL);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The last `bytes` of a file (sync: only at start-up and for error messages). */
function tail(path: string, bytes: number): string {
  const size = statSync(path).size;
  const length = Math.min(size, bytes);
  const buffer = Buffer.alloc(length);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buffer, 0, length, size - length);
  } finally {
    closeSync(fd);
  }
  return buffer.toString();
}
