import { DEFAULT_UPSTREAM_CONCURRENCY } from '@llm-connector-hub/core';
import type { Pool } from 'undici';

/**
 * HTTP/2 to a provider:
 *  - `auto`: over TLS, offer HTTP/2 and HTTP/1.1 (ALPN) and let the provider choose; over
 *    cleartext, HTTP/1.1 (a cleartext server cannot say it speaks HTTP/2 before it is spoken to);
 *  - `on`: over TLS, offer HTTP/2 first (a provider that only speaks HTTP/1.1 still gets it);
 *    over cleartext, HTTP/2 with prior knowledge (h2c);
 *  - `off`: HTTP/1.1 only.
 */
export type Http2Mode = 'auto' | 'on' | 'off';
export const HTTP2_MODES: readonly Http2Mode[] = ['auto', 'on', 'off'];
export const DEFAULT_HTTP2_MODE: Http2Mode = 'auto';

/** How many calls a provider's pool carries at once, and over which protocol. */
export interface UpstreamPoolSettings {
  /**
   * The most calls in flight to this provider at once (default DEFAULT_UPSTREAM_CONCURRENCY).
   * Give it the same figure as the bulkhead in front of the provider, so that every admitted
   * call runs at once instead of waiting in the pool.
   */
  maxConcurrent?: number;
  /** The same cap under the name of undici's Pool option (`connections`); when set, it is the one used. */
  pool?: { connections?: number };
  http2?: Http2Mode;
}

/** What every provider class takes besides its own settings. */
export interface ProviderInstanceOptions extends UpstreamPoolSettings {
  /** `model`: the model used when a request names none (hub.complete without `model`). */
  defaults?: { model?: string };
}

/**
 * `useH2c` is documented among Pool's options (undici docs/api/Pool.md: it builds the connector
 * shared by the pool's clients) but missing from its type, which has only `h2Options.useH2c`;
 * a Pool does not read the latter for its connector.
 */
export type PoolCapacityOptions = Pick<Pool.Options, 'connections' | 'allowH2' | 'connect'> & { useH2c?: boolean };

/**
 * The undici Pool options that make a pool carry `maxConcurrent` calls at once: one connection
 * per call over HTTP/1.1. Over HTTP/2 the same cap holds, and undici opens a further connection
 * only when the open ones carry as many streams as the provider allows (undici's own cap is 100
 * per connection), so an HTTP/2 pool uses about maxConcurrent / 100 sockets.
 */
export function poolCapacityOptions(origin: URL, settings: UpstreamPoolSettings = {}): PoolCapacityOptions {
  const connections = settings.pool?.connections ?? settings.maxConcurrent ?? DEFAULT_UPSTREAM_CONCURRENCY;
  const tls = origin.protocol === 'https:';
  switch (settings.http2 ?? DEFAULT_HTTP2_MODE) {
    case 'off':
      return { connections, allowH2: false };
    case 'on':
      return tls ? { connections, allowH2: true, connect: { preferH2: true } } : { connections, allowH2: true, useH2c: true };
    case 'auto':
      return { connections, allowH2: tls };
  }
}
