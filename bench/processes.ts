/**
 * Starts the benchmark's child processes (fake provider, floor forwarder, gateway) on 127.0.0.1
 * and learns each one's port from its `{"msg":"listening","port":N}` stdout line. Each child gets
 * only PATH plus what is passed here, so provider keys in the caller's environment never turn into
 * extra gateway providers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

const DIST = join(__dirname, '..');
export const FAKE_PROVIDER_MAIN = join(DIST, 'apps/fake-provider/src/main.js');
export const GATEWAY_MAIN = join(DIST, 'apps/gateway/src/main.js');
export const FLOOR_MAIN = join(__dirname, 'floor-forwarder.js');

/** Upstream key the gateway and the floor both send (the fake accepts any key but `bad-key`). */
export const UPSTREAM_KEY = 'bench-upstream-key';
/** The model the gateway is asked for: provider `fake`, model `bench-model`. */
export const GATEWAY_MODEL = 'fake/bench-model';

export interface Child {
  name: string;
  pid: number;
  url: string;
  /** A gateway's metrics listener (`{"msg":"metrics listening","port":N}`), when it has one. */
  metricsUrl?: string;
  /** The fake provider's cleartext HTTP/2 listener, when it was started with one. */
  h2cUrl?: string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (null when killed). */
  stop(graceMs?: number): Promise<number | null>;
  /** The last `OUTPUT_TAIL` bytes the child wrote, stdout and stderr (for error messages). */
  output(): string;
}

/** How much of a child's output `output()` returns (for error messages). */
const OUTPUT_TAIL = 64 * 1024;

const running = new Set<ChildProcess>();

/** Last resort on an abrupt exit of the bench: no child outlives it. */
process.once('exit', () => {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** Registers a child spawned elsewhere (load processes) for the same last resort, until it exits. */
export function killOnExit(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
}

/**
 * Each child writes stdout and stderr to a file, not to a pipe the bench reads: the gateway
 * writes one JSON line per request (observability.requestLog, on by default), and reading that
 * pipe would put its cost on the bench process, which is also the load generator (measured:
 * autocannon went from 17 to 24 µs of CPU per request). The file is read only while waiting for
 * the listening line and for error messages.
 */
export function startChild(name: string, main: string, env: Record<string, string>, extraNodeArgs: string[] = [], timeoutMs = 15_000): Promise<Child> {
  const dir = mkdtempSync(join(tmpdir(), 'llm-hub-bench-child-'));
  const logPath = join(dir, 'output.log');
  const fd = openSync(logPath, 'a');
  const child = spawn(process.execPath, [...extraNodeArgs, main], {
    // Any free port for the API and a gateway's metrics listener: several gateways run at once.
    env: { PATH: process.env.PATH ?? '', PORT: '0', LLM_HUB_METRICS_PORT: '0', ...env },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  running.add(child);
  // Once the child is stopped its file is gone; what it wrote last is kept for error messages.
  let lastOutput: string | undefined;
  const output = () => lastOutput ?? tail(logPath, OUTPUT_TAIL);
  const exited = new Promise<number | null>((done) =>
    child.once('exit', (code) => {
      running.delete(child);
      done(code);
    }),
  );
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let ready = false;
    const poll = setInterval(() => {
      const line = /\{[^\n]*"msg":"listening"[^\n]*\}/.exec(output());
      if (!line) {
        if (Date.now() - started < timeoutMs) return;
        clearInterval(poll);
        child.kill('SIGKILL');
        reject(new Error(`${name} did not start within ${timeoutMs} ms:\n${output()}`));
        return;
      }
      clearInterval(poll);
      ready = true;
      const { port, h2cPort } = JSON.parse(line[0]) as { port: number; h2cPort?: number };
      const metricsLine = /\{[^\n]*"msg":"metrics listening"[^\n]*\}/.exec(output());
      resolve({
        name,
        pid: child.pid!,
        url: `http://127.0.0.1:${port}`,
        metricsUrl: metricsLine ? `http://127.0.0.1:${(JSON.parse(metricsLine[0]) as { port: number }).port}` : undefined,
        h2cUrl: h2cPort === undefined ? undefined : `http://127.0.0.1:${h2cPort}`,
        output,
        stop: async (graceMs = 5_000) => {
          if (child.exitCode === null && child.signalCode === null) {
            child.kill('SIGTERM');
            const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
            await exited;
            clearTimeout(killer);
          }
          lastOutput ??= output();
          rmSync(dir, { recursive: true, force: true });
          return child.exitCode;
        },
      });
    }, 20);
    void exited.then((code) => {
      if (ready) return;
      clearInterval(poll);
      reject(new Error(`${name} exited with ${code} before listening:\n${output()}`));
    });
  });
}

/** SIGTERM; a non-zero exit makes the run invalid (pushed onto `problems` with the end of the child's output). */
export async function stopChecked(child: Child, problems: string[]): Promise<void> {
  const code = await child.stop();
  if (code !== 0) problems.push(`${child.name} exited with ${code} on SIGTERM:\n${child.output().slice(-2000)}`);
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

/** `env` e.g. `{ H2C_PORT: '0' }` for its cleartext HTTP/2 listener too (`h2cUrl`). */
export function startFakeProvider(env: Record<string, string> = {}): Promise<Child> {
  return startChild('fake-provider', FAKE_PROVIDER_MAIN, env);
}

/** `env` e.g. `{ UPSTREAM_HTTP2: 'on' }` (floor-forwarder.ts). */
export function startFloor(fakeUrl: string, env: Record<string, string> = {}, name = 'floor'): Promise<Child> {
  return startChild(name, FLOOR_MAIN, { UPSTREAM_URL: fakeUrl, UPSTREAM_API_KEY: UPSTREAM_KEY, ...env });
}

export interface GatewayOptions {
  /** Child name for logs and errors (default `gateway`). */
  name?: string;
  /**
   * Top-level config keys added to the one-provider config, e.g. `{ resilience: { enabled: false } }`.
   * A `cache` key here replaces the default `UNCACHED` one.
   */
  config?: Record<string, unknown>;
  /** Fields added to the provider's entry, e.g. `{ http2: 'on' }`. */
  provider?: Record<string, unknown>;
  env?: Record<string, string>;
}

/**
 * The cache section every bench gateway gets unless its section asks for a cache: the gateway's
 * default is an in-process cache, and sections 1-4 send identical requests, so without this they
 * would measure cache hits instead of the path to the provider.
 */
export const UNCACHED = { type: 'none' } as const;

/** The gateway with one OpenAI-compatible provider pointed at the fake. `nodeArgs` e.g. --cpu-prof. */
export async function startGateway(fakeUrl: string, nodeArgs: string[] = [], options: GatewayOptions = {}): Promise<Child> {
  const dir = mkdtempSync(join(tmpdir(), 'llm-hub-bench-'));
  const file = join(dir, 'gateway.yaml');
  const config = {
    providers: { fake: { type: 'openai-compatible', baseUrl: `${fakeUrl}/v1`, apiKey: UPSTREAM_KEY, models: ['bench-model'], ...options.provider } },
    cache: UNCACHED,
    ...options.config,
  };
  writeFileSync(file, stringify(config));
  try {
    return await startChild(options.name ?? 'gateway', GATEWAY_MAIN, { LLM_HUB_CONFIG: file, ...options.env }, nodeArgs);
  } finally {
    // The gateway reads its config once at boot (before it prints the listening line).
    rmSync(dir, { recursive: true, force: true });
  }
}
