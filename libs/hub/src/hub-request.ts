import type { ChatRequest, EmbeddingRequest } from '@llm-connector-hub/core';

/**
 * A request as callers give it to the hub: the canonical request plus routing and timeout.
 * `model` may be `provider/model`, an alias from the config, or a bare model name (then
 * `provider` picks the provider, or a provider that lists the model).
 */
export interface HubRequest extends ChatRequest {
  provider?: string;
  /** Total time allowed for the call, in ms (capped by the hub's maxTimeoutMs). */
  timeout?: number;
}

export interface HubEmbeddingRequest extends EmbeddingRequest {
  provider?: string;
  timeout?: number;
}

/** Per-call options that are not part of the request body. */
export interface HubCallOptions {
  /** Cancels the call (and the upstream HTTP request), e.g. when the client disconnects. */
  signal?: AbortSignal;
  requestId?: string;
  /** Filled in by the hub: who served the call. Pass an object to read it afterwards. */
  meta?: HubCallMeta;
}

export interface HubCallMeta {
  /** The provider instance that served (after any fallback). */
  provider?: string;
  /** The model as sent to that provider. */
  model?: string;
  /** `provider/model` that served. */
  target?: string;
  /** Upstream attempts made (1 without retries). */
  attempts?: number;
}

/** Where a request goes: a registered provider instance and the model name it knows. */
export interface Route {
  provider: string;
  model: string;
}
