import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { launch, type RunningProcess } from '../../../../scripts/lib/launcher';
import { signalChild, spawnChild } from './children';
import { READY_TIMEOUT_MS } from './timeouts';

const ROOT = resolve(__dirname, '../../../..');
export const GATEWAY_MAIN = join(ROOT, 'dist/apps/gateway/src/main.js');
const FAKE_PROVIDER_MAIN = join(ROOT, 'dist/apps/fake-provider/src/main.js');

export type { RunningProcess };

export interface StartOptions {
  /** Working directory; default the caller's. */
  cwd?: string;
}

/**
 * Starts a built Node entry point as a real process (scripts/lib/launcher.ts, the launcher the
 * bench uses too), everything it writes kept for output(). The child is registered (children.ts)
 * before anything is awaited, so it is killed after the test file even when the hook that started
 * it timed out; when it is not listening within timeoutMs, it is killed at once. Signals reach its
 * whole process group.
 */
export function startProcess(main: string, env: Record<string, string>, timeoutMs = READY_TIMEOUT_MS, options: StartOptions = {}): Promise<RunningProcess> {
  return launch(main, { env, timeoutMs, cwd: options.cwd, spawn: spawnChild, signal: signalChild });
}

/** `env` e.g. `{ H2C_PORT: '0' }` for the cleartext HTTP/2 listener too (its URL is `h2cUrl`). */
export function startFakeProvider(env: Record<string, string> = {}): Promise<RunningProcess> {
  return startProcess(FAKE_PROVIDER_MAIN, env);
}

/** Writes a YAML config to a temp file and starts the gateway with it. */
export function startGateway(config: object | undefined, env: Record<string, string> = {}): Promise<RunningProcess> {
  const extra: Record<string, string> = { ...env };
  if (config) {
    const dir = mkdtempSync(join(tmpdir(), 'llm-hub-e2e-'));
    const file = join(dir, 'config.yaml');
    writeFileSync(file, stringify(config));
    extra.LLM_HUB_CONFIG = file;
  }
  return startProcess(GATEWAY_MAIN, extra);
}

/** Keys the gateway sends upstream in these tests: they must never show up in any output. */
export const UPSTREAM_KEYS = {
  openai: 'sk-test-openai-9f8e7d6c5b4a',
  anthropic: 'sk-ant-test-1a2b3c4d5e6f',
  google: 'AIzaTestGoogleKey0123456789',
  azure: 'azure-test-key-0123456789abcdef',
  compatible: 'compat-test-key-0123456789',
};

/** A gateway config with every provider type pointed at one fake provider. */
export function providersAt(fakeUrl: string): Record<string, unknown> {
  return {
    openai: { type: 'openai', apiKey: UPSTREAM_KEYS.openai, baseUrl: `${fakeUrl}/v1` },
    anthropic: { type: 'anthropic', apiKey: UPSTREAM_KEYS.anthropic, baseUrl: fakeUrl },
    google: { type: 'google', apiKey: UPSTREAM_KEYS.google, baseUrl: fakeUrl },
    azure: {
      type: 'azure-openai',
      apiKey: UPSTREAM_KEYS.azure,
      endpoint: fakeUrl,
      apiVersion: '2024-10-21',
      deployments: { 'gpt-4o-mini': 'my-gpt4o-mini-deployment' },
    },
    vllm: { type: 'openai-compatible', baseUrl: `${fakeUrl}/v1`, apiKey: UPSTREAM_KEYS.compatible, models: ['meta-llama/Llama-3.1-8B-Instruct'] },
    mock: { type: 'mock' },
  };
}

/**
 * Resilience that neither retries nor opens breakers: for specs about how single upstream
 * answers are mapped, where a retry or an open breaker would hide the mapping under test.
 */
export const NO_RETRY_NO_BREAKER = {
  defaults: { retry: { maxAttempts: 1 }, breaker: { consecutiveFailures: 1_000_000, minimumCalls: 1_000_000 } },
};

export interface FakeStats {
  requests: number;
  byRoute: Record<string, number>;
  byProtocol: Partial<Record<'http/1.1' | 'h2', number>>;
  aborted: number;
  inFlight: number;
  maxInFlight: number;
  completed: number;
  lastRequest: { method: string; path: string; headers: Record<string, string>; body: unknown; /** The body as received. */ text?: string } | null;
}

export async function fakeStats(fakeUrl: string): Promise<FakeStats> {
  const response = await fetch(`${fakeUrl}/_fake/stats`);
  return (await response.json()) as FakeStats;
}

export async function resetFake(fakeUrl: string): Promise<void> {
  await fetch(`${fakeUrl}/_fake/reset`, { method: 'POST' });
}

/** Polls until the predicate holds or the time runs out (for effects seen by another process). */
export async function eventually<T>(read: () => Promise<T>, predicate: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!predicate(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
    value = await read();
  }
  return value;
}

export { ROOT };
