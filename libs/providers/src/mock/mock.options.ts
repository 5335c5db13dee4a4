export interface MockProviderOptions {
  /** Instance name (default 'mock'). */
  name?: string;
  /** Models advertised in GET /v1/models; any model name is answered. */
  models?: readonly string[];
  /** Delay before the answer (or the first chunk), in ms. */
  latencyMs?: number;
  /** Number of content chunks a streamed answer is split into. */
  chunkCount?: number;
  /** Delay between streamed chunks, in ms. */
  chunkDelayMs?: number;
  /** Every Nth request fails (0: never). Deterministic, so tests can count on it. */
  failEvery?: number;
  /** HTTP status of the injected failures (default 500, surfaced like an upstream 5xx: 502). */
  failStatus?: number;
  /** When true, injected failures of streams happen after the first chunk instead of before. */
  failMidStream?: boolean;
}

export const MOCK_DEFAULTS = {
  name: 'mock',
  models: ['mock-1', 'mock-fast'] as readonly string[],
  latencyMs: 0,
  chunkCount: 5,
  chunkDelayMs: 0,
  failEvery: 0,
  failStatus: 500,
  failMidStream: false,
};
