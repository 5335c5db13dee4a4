/**
 * The one way test code starts a child process (docs/testing.md). Each child:
 *   - leads a process group of its own (spawned detached), so one kill reaches what it starts;
 *   - is registered the moment it is spawned, before anything waits for it: in this test file's
 *     list, which the jest environment reaps after the file's last hook, and on disk in the run
 *     directory, which jest's global teardown and scripts/jest.sh reap (children of a worker that
 *     died, or of a jest that was killed).
 * So a hook that times out half-way, a forgotten stop() or a crashed worker leaves nothing running.
 *
 * spawnSync cannot be registered (its pid is known only once it has ended): runChildSync bounds it
 * with a timeout instead, which also keeps it from blocking jest's own timeouts forever.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { RUN_DIR_ENV, startTimeOf, writeRecord, type ChildRecord } from './reap';

/** Where this file's list lives on the test file's global; jest-environment.ts creates it and reaps it. */
export const FILE_CHILDREN = '__llmHubTestChildren';

function fileChildren(): ChildRecord[] {
  const scope = globalThis as unknown as Record<string, ChildRecord[] | undefined>;
  return (scope[FILE_CHILDREN] ??= []);
}

/** The children this test file started so far (stopped ones too). */
export function registeredChildren(): ChildRecord[] {
  return [...fileChildren()];
}

/** child_process.spawn, detached (a process group of its own) and registered before it returns. */
export function spawnChild(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  const child = spawn(command, args, { ...options, detached: true });
  if (child.pid !== undefined) {
    // Read now: the child cannot have been reaped yet, so /proc still describes it.
    const record: ChildRecord = { pid: child.pid, startTime: startTimeOf(child.pid), command: [command, ...args].join(' ').slice(0, 300), owner: process.pid };
    fileChildren().push(record);
    const dir = process.env[RUN_DIR_ENV];
    if (dir) writeRecord(dir, record);
  }
  return child;
}

/** Signals the child's whole process group; a no-op once it is gone (or when it never started). */
export function signalChild(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is gone already
  }
}

export interface RunOptions {
  /** Past this the child's group is SIGKILLed and the result says timedOut. */
  timeoutMs: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed; stdin is /dev/null without it. */
  input?: string;
}

export interface RunResult {
  /** Null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * Runs a command to its end (its stdout and stderr closed), bounded by timeoutMs. Resolves whatever
 * the exit code; rejects only when it cannot be started (e.g. not installed: ENOENT).
 */
export function runChild(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawnChild(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (data: string) => (stdout += data));
    child.stderr!.setEncoding('utf8').on('data', (data: string) => (stderr += data));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      signalChild(child, 'SIGKILL');
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${command} ${args.join(' ')}: ${error.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
    if (options.input !== undefined) {
      child.stdin!.on('error', () => undefined); // EPIPE when it exits without reading: its exit code says why
      child.stdin!.end(options.input);
    }
  });
}

/** One line for error messages: how a run ended, and what it printed. */
export function describeRun(what: string, result: RunResult): string {
  const how = result.timedOut ? 'timed out (killed)' : result.code === null ? `ended by ${result.signal}` : `exited with ${result.code}`;
  return `${what} ${how}:\n${result.stdout}${result.stderr}`;
}

/**
 * spawnSync bounded by timeoutMs (then SIGKILL). Throws when the command cannot be started or
 * times out; otherwise returns whatever the exit code.
 */
export function runChildSync(command: string, args: readonly string[], options: Omit<RunOptions, 'input'>): Omit<RunResult, 'timedOut'> {
  const out = spawnSync(command, args, {
    cwd: options.cwd,
    env: options.env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: options.timeoutMs,
    killSignal: 'SIGKILL',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (out.error) throw new Error(`${command} ${args.join(' ')}: ${out.error.message}\n${out.stdout ?? ''}${out.stderr ?? ''}`);
  return { code: out.status, signal: out.signal, stdout: out.stdout, stderr: out.stderr };
}
