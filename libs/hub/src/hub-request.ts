import { z } from 'zod';
import { chatRequestSchemaWith, embeddingRequestSchema, positiveIntSchema, type KnownFields, type NativeRequest, type Usage } from '@llm-connector-hub/core';

/** The hub's fields beside the canonical request: routing and the call's timeout. */
const callFields = {
  provider: z.string().min(1).optional(),
  /** Total time allowed for the call, in ms (capped by the hub's maxTimeoutMs). */
  timeout: positiveIntSchema.optional(),
};

/**
 * A request as callers give it to the hub: the canonical request plus routing and timeout, one
 * schema (the gateway validates HTTP bodies with it) whose output is the type.
 * `model` may be `provider/model`, an alias from the config, or a bare model name (then
 * `provider` picks the provider, or a provider that lists the model).
 */
export const hubRequestSchema = chatRequestSchemaWith(callFields);
/**
 * The schema's output, except that `model` may be left out by callers in code when `provider`
 * names a provider with a default model (its `defaults.model`). Over HTTP the schema requires it,
 * as OpenAI's API does.
 */
export type HubRequest = Omit<KnownFields<z.output<typeof hubRequestSchema>>, 'model'> & { model?: string };

export const hubEmbeddingRequestSchema = embeddingRequestSchema.extend(callFields);
export type HubEmbeddingRequest = z.output<typeof hubEmbeddingRequestSchema>;

/** Per-call options that are not part of the request body. */
export interface HubCallOptions {
  /** Cancels the call (and the upstream HTTP request), e.g. when the client disconnects. */
  signal?: AbortSignal;
  requestId?: string;
  /** Filled in by the hub: who served the call. Pass an object to read it afterwards. */
  meta?: HubCallMeta;
  /**
   * Who is calling, for isolation (the response cache namespaces answers by it). Never a
   * secret: the gateway passes a digest of the caller's key. Default ''.
   */
  tenant?: string;
  /** The caller's cache directives (HTTP `Cache-Control` and `x-llm-hub-cache-ttl`). */
  cache?: CacheDirectives;
  /**
   * Chat calls only: the client's request in its own dialect, beside the canonical one (never
   * taken from a body). A target whose provider speaks the dialect is sent this instead, and its
   * answer carries the upstream's own (`native` on the completion or chunks); other targets
   * (a fallback, say) get the canonical request.
   */
  native?: NativeRequest;
}

/** Per-call cache directives; all optional, the cache's configuration applies otherwise. */
export interface CacheDirectives {
  /** `Cache-Control: no-cache`: do not answer from the cache (the fresh answer is still stored). */
  noCache?: boolean;
  /** `Cache-Control: no-store`: do not store this answer. */
  noStore?: boolean;
  /**
   * How long to keep this answer, in seconds (capped by the cache's maximum). Asking for it opts
   * the call into the cache, as `maxAgeSeconds` does.
   */
  ttlSeconds?: number;
  /**
   * `Cache-Control: max-age=N`: a stored answer younger than N seconds may answer this call
   * (0: none may, but the fresh answer is stored). Opts the call into the cache whatever its
   * sampling settings (docs/cache.md#what-is-cached).
   */
  maxAgeSeconds?: number;
}

/**
 * How the response cache handled a call: answered from it, looked it up in vain, did not look
 * (`no-cache`, or no cache installed), or left it alone because the call is not cacheable by
 * the cache's policy (a sampled answer nobody opted into caching).
 */
export type CacheResult = 'HIT' | 'MISS' | 'BYPASS' | 'UNCACHEABLE';

export interface HubCallMeta {
  /** The provider instance that served (after any fallback). */
  provider?: string;
  /** The model as sent to that provider. */
  model?: string;
  /** `provider/model` that served. */
  target?: string;
  /** Upstream attempts made (1 without retries; 0 when the cache answered). */
  attempts?: number;
  /** Set when the retry budget refused a retry this call would have made (a wider outage: callers should not retry either). */
  retryBudgetExhausted?: boolean;
  /** Set by the cache middleware; absent when no cache is installed. */
  cache?: CacheResult;
  /** Time spent in upstream attempts, in ms, summed over retries and fallbacks (absent: none). */
  upstreamMs?: number;
  /** Token usage of the answer (for a stream, once its usage chunk has passed). */
  usage?: Usage;
}

/** Where a request goes: a registered provider instance and the model name it knows. */
export interface Route {
  provider: string;
  model: string;
}
