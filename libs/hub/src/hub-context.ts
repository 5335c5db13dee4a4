import type { ChatRequest, EmbeddingRequest, NativeRequest } from '@llm-connector-hub/core';
import type { CacheDirectives, HubCallMeta } from './hub-request';
import type { Deadline } from './deadline';
import type { RouteTarget } from './model-router';

/** What middleware sees for one call. Middleware may replace `request`, `provider` and `signal`. */
export interface HubContextBase {
  readonly requestId: string;
  /** The model string the caller asked for (before alias and prefix resolution). */
  readonly requestedModel: string;
  /** The provider instance to call; a fallback middleware may change it. */
  provider: string;
  /**
   * Every target that may serve this call, in fallback order; `provider` and the request's
   * model start as the first. One entry unless the model is an alias with several targets.
   */
  readonly targets: readonly RouteTarget[];
  signal: AbortSignal;
  /** Aborts `signal` when the timeout passes or the caller goes away; tells the two apart. */
  readonly deadline: Deadline;
  /** The total timeout in force for this call, in ms. */
  readonly timeoutMs: number;
  /** performance.now() when the hub received the call. */
  readonly startedAt: number;
  /** Written by the hub and middleware, read by the caller. */
  readonly meta: HubCallMeta;
  /** The caller's isolation key ('' when none); see HubCallOptions.tenant. */
  readonly tenant: string;
  /** The caller's cache directives ({} when none). */
  readonly cache: CacheDirectives;
}

export interface HubContext extends HubContextBase {
  kind: 'chat';
  /** The canonical request with `model` resolved to the provider's model name. */
  request: ChatRequest;
  readonly stream: boolean;
  /** The client's request in its own dialect (HubCallOptions.native); the provider call gets it with the context. */
  readonly native?: NativeRequest;
}

export interface HubEmbeddingContext extends HubContextBase {
  kind: 'embedding';
  request: EmbeddingRequest;
}
