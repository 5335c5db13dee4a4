/**
 * Starts the benchmark's child processes (fake provider, floor forwarder, gateway) on 127.0.0.1
 * and learns each one's port from its `{"msg":"listening","port":N}` stdout line. Each child gets
 * only PATH plus what is passed here, so provider keys in the caller's environment never turn into
 * extra gateway providers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (null when killed). */
  stop(graceMs?: number): Promise<number | null>;
  /** What the child wrote so far, stdout and stderr: all of it up to its listening line, then the last `OUTPUT_TAIL` characters (for error messages). */
  output(): string;
}

/**
 * How much of a child's output is kept once it listens. The gateway writes one JSON line per
 * request (observability.requestLog, on by default), some 360 bytes: hundreds of MB over a run
 * if all of it were kept in the bench process, which is also the load generator.
 */
const OUTPUT_TAIL = 64 * 1024;

const running = new Set<ChildProcess>();

/** Last resort on an abrupt exit of the bench: no child outlives it. */
process.once('exit', () => {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

export function startChild(name: string, main: string, env: Record<string, string>, extraNodeArgs: string[] = [], timeoutMs = 15_000): Promise<Child> {
  const child = spawn(process.execPath, [...extraNodeArgs, main], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  let ready = false;
  const append = (data: Buffer) => {
    output += data.toString();
    if (ready && output.length > 2 * OUTPUT_TAIL) output = output.slice(-OUTPUT_TAIL);
  };
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => {
    running.delete(child);
    done(code);
  }));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.stdout!.on('data', (data: Buffer) => {
      append(data);
      if (ready) return;
      const line = /\{[^\n]*"msg":"listening"[^\n]*\}/.exec(output);
      if (!line) return;
      ready = true;
      clearTimeout(timer);
      const port = (JSON.parse(line[0]) as { port: number }).port;
      resolve({
        name,
        pid: child.pid!,
        url: `http://127.0.0.1:${port}`,
        output: () => output.slice(-OUTPUT_TAIL),
        stop: async (graceMs = 5_000) => {
          if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
          child.kill('SIGTERM');
          const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
          const code = await exited;
          clearTimeout(killer);
          return code;
        },
      });
    });
    child.stderr!.on('data', append);
    void exited.then((code) => {
      if (ready) return;
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before listening:\n${output}`));
    });
  });
}

export function startFakeProvider(): Promise<Child> {
  return startChild('fake-provider', FAKE_PROVIDER_MAIN, {});
}

export function startFloor(fakeUrl: string): Promise<Child> {
  return startChild('floor', FLOOR_MAIN, { UPSTREAM_URL: fakeUrl, UPSTREAM_API_KEY: UPSTREAM_KEY });
}

export interface GatewayOptions {
  /** Child name for logs and errors (default `gateway`). */
  name?: string;
  /**
   * Top-level config keys added to the one-provider config, e.g. `{ resilience: { enabled: false } }`.
   * A `cache` key here replaces the default `UNCACHED` one.
   */
  config?: Record<string, unknown>;
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
    providers: { fake: { type: 'openai-compatible', baseUrl: `${fakeUrl}/v1`, apiKey: UPSTREAM_KEY, models: ['bench-model'] } },
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
