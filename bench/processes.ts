/**
 * The benchmark's child processes (fake provider, floor forwarder, gateway), started by the one
 * launcher the e2e tests use too (scripts/lib/launcher.ts): what is the bench's own here is each
 * child's configuration.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { launch, type RunningProcess } from '../scripts/lib/launcher';

export { killOnExit } from '../scripts/lib/launcher';

const DIST = join(__dirname, '..');
const FAKE_PROVIDER_MAIN = join(DIST, 'apps/fake-provider/src/main.js');
const GATEWAY_MAIN = join(DIST, 'apps/gateway/src/main.js');
const FLOOR_MAIN = join(__dirname, 'floor-forwarder.js');

/** Upstream key the gateway and the floor both send (the fake accepts any key but `bad-key`). */
const UPSTREAM_KEY = 'bench-upstream-key';
/** The model the gateway is asked for: provider `fake`, model `bench-model`. */
export const GATEWAY_MODEL = 'fake/bench-model';

export type Child = RunningProcess;

/**
 * Each child writes stdout and stderr to a file, not to a pipe the bench reads: the gateway
 * writes one JSON line per request (observability.requestLog, on by default), and reading that
 * pipe would put its cost on the bench process, which is also the load generator (measured:
 * autocannon went from 17 to 24 µs of CPU per request).
 */
function startChild(name: string, main: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<Child> {
  return launch(main, { name, env, nodeArgs, timeoutMs: 15_000, output: 'file' });
}

/** SIGTERM; a non-zero exit makes the run invalid (pushed onto `problems` with the end of the child's output). */
export async function stopChecked(child: Child, problems: string[]): Promise<void> {
  const code = await child.stop('SIGTERM', 5_000);
  if (code !== 0) problems.push(`${child.name} exited with ${code} on SIGTERM:\n${child.output().slice(-2000)}`);
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
const UNCACHED = { type: 'none' } as const;

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
