/**
 * Bounds on what one upstream answer may cost the gateway: memory (sizes) and time spent on a
 * stalled upstream (timeouts). The defaults live here, once: the HTTP providers fall back to them
 * when constructed directly (library use), and the gateway's config schema takes its defaults
 * from them. docs/configuration.md says why each default is what it is.
 */
export interface UpstreamLimits {
  /** Largest whole (non-stream) answer, error bodies included; larger gets 502 `upstream_response_too_large`. */
  maxResponseBytes: number;
  /** Largest single SSE line or event of a stream; larger gets `upstream_response_too_large`. */
  maxEventBytes: number;
  /**
   * Streams: the most time until the response headers arrive (504 `upstream_timeout`). JSON answers
   * are exempt: providers send their headers only with the finished answer, so the request's own
   * timeout bounds them. 0 = off.
   */
  streamHeadersTimeoutMs: number;
  /**
   * The most time without progress once an answer has begun: without a byte of a JSON body, and
   * without a complete line (an event's, or a keep-alive comment) after a stream's first event
   * (504 `upstream_timeout`). The wait before a stream's first event is the first-token timeout's
   * (resilience). 0 = off.
   */
  bodyIdleTimeoutMs: number;
}

export const UPSTREAM_DEFAULTS: Readonly<UpstreamLimits> = Object.freeze({
  maxResponseBytes: 64 * 1024 * 1024,
  maxEventBytes: 16 * 1024 * 1024,
  streamHeadersTimeoutMs: 180_000,
  bodyIdleTimeoutMs: 120_000,
});

/** The given limits over the defaults (an undefined field keeps its default). */
export function resolveUpstreamLimits(limits: Partial<UpstreamLimits> | undefined): UpstreamLimits {
  const resolved = { ...UPSTREAM_DEFAULTS };
  if (limits) {
    for (const key of Object.keys(resolved) as Array<keyof UpstreamLimits>) {
      const value = limits[key];
      if (value !== undefined) resolved[key] = value;
    }
  }
  return resolved;
}
