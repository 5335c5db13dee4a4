import { DEFAULT_UPSTREAM_CONCURRENCY } from '@llm-connector-hub/core';

/**
 * Resilience settings for one provider (breaker settings may be narrowed to one model). Every
 * field has a default (RESILIENCE_DEFAULTS), so an empty config gives sensible protection.
 */
export interface RetryOptions {
  /** Total attempts including the first (1 = no retries). */
  maxAttempts: number;
  /** First backoff delay; doubles each attempt, with full jitter. */
  initialDelayMs: number;
  /** Largest backoff delay. */
  maxDelayMs: number;
  /** Largest wait honoured from a provider's Retry-After / retry-after-ms; longer asks are not retried. */
  maxRetryAfterMs: number;
  /** Retries per provider are at most `ratio` of its requests over the last `windowMs`, plus `minPerSecond`. */
  budget: { ratio: number; minPerSecond: number; windowMs: number };
}

export interface BreakerOptions {
  /** Opens after this many failures in a row. */
  consecutiveFailures: number;
  /** Or when this share of calls in the sampling window failed (0..1)... */
  failureRateThreshold: number;
  /** ...over this window... */
  samplingWindowMs: number;
  /** ...once the window holds at least this many calls. */
  minimumCalls: number;
  /** Time open before one probe call is let through (half-open). */
  cooldownMs: number;
}

export interface TimeoutOptions {
  /** Per attempt: an attempt taking longer is aborted (and may be retried). 0 = only the request's total timeout. */
  attemptMs: number;
  /**
   * Streams: the first chunk must arrive within this time, response headers included (some servers
   * send those only with the first token). 0 = off. Why the default is what it is: docs/resilience.md.
   */
  firstTokenMs: number;
}

export interface BulkheadOptions {
  /**
   * Concurrent upstream requests per provider. The gateway sizes the provider's connection pool
   * from the same figure, so every admitted call can run at once (docs/resilience.md#concurrency).
   */
  maxConcurrent: number;
  /** Requests waiting for a slot; beyond this they get 429 with Retry-After. */
  maxQueue: number;
}

export interface ProviderResilienceOptions {
  retry: RetryOptions;
  breaker: BreakerOptions;
  timeout: TimeoutOptions;
  bulkhead: BulkheadOptions;
}

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

export interface ResilienceSettings {
  /** Applies to every provider. */
  defaults?: DeepPartial<ProviderResilienceOptions>;
  /** Per provider name; `models` narrows breaker settings to one model. */
  providers?: Record<string, DeepPartial<ProviderResilienceOptions> & { models?: Record<string, { breaker?: Partial<BreakerOptions> }> }>;
}

export const RESILIENCE_DEFAULTS: ProviderResilienceOptions = {
  retry: {
    maxAttempts: 3,
    initialDelayMs: 200,
    maxDelayMs: 4_000,
    maxRetryAfterMs: 10_000,
    budget: { ratio: 0.2, minPerSecond: 5, windowMs: 10_000 },
  },
  breaker: {
    consecutiveFailures: 5,
    failureRateThreshold: 0.5,
    samplingWindowMs: 30_000,
    minimumCalls: 20,
    cooldownMs: 15_000,
  },
  timeout: { attemptMs: 0, firstTokenMs: 180_000 },
  bulkhead: { maxConcurrent: DEFAULT_UPSTREAM_CONCURRENCY, maxQueue: 1024 },
};

/** The effective options of one provider (and model, for the breaker). */
export function resolveResilienceOptions(settings: ResilienceSettings | undefined, provider: string, model?: string): ProviderResilienceOptions {
  const own = settings?.providers?.[provider];
  const modelBreaker = model !== undefined ? own?.models?.[model]?.breaker : undefined;
  return {
    retry: {
      ...RESILIENCE_DEFAULTS.retry,
      ...settings?.defaults?.retry,
      ...own?.retry,
      budget: { ...RESILIENCE_DEFAULTS.retry.budget, ...settings?.defaults?.retry?.budget, ...own?.retry?.budget },
    },
    breaker: { ...RESILIENCE_DEFAULTS.breaker, ...settings?.defaults?.breaker, ...own?.breaker, ...modelBreaker },
    timeout: { ...RESILIENCE_DEFAULTS.timeout, ...settings?.defaults?.timeout, ...own?.timeout },
    bulkhead: { ...RESILIENCE_DEFAULTS.bulkhead, ...settings?.defaults?.bulkhead, ...own?.bulkhead },
  };
}
