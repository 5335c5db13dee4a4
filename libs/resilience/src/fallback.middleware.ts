import type { ChatCompletion, ChatRequest, HubError } from '@llm-connector-hub/core';
import type { ChatStream, CompleteHandler, HubContext, HubMiddleware, RouteTarget, StreamHandler } from '@llm-connector-hub/hub';
import { isFallbackFailure } from './resilience-errors';
import type { ResilienceEvents } from './resilience-events';
import type { ResilienceSettings } from './resilience-options';
import { weightedOrder } from './weighted-order';

export interface FallbackMiddlewareOptions {
  /** [0, 1) source for the weighted order within a priority (tests inject a seeded one). */
  random?: () => number;
}

/**
 * Serves an alias with several targets: tries them in priority order, weighted-random within a
 * priority, and moves to the next target on a failure another target may not have (retryable
 * upstream errors, timeouts, open breakers, full bulkheads), unless the caller has gone or the
 * call's deadline has passed. Each target gets a fresh shallow copy of the original request with
 * its model, so nothing an inner layer changed for one target leaks into the next.
 *
 * Streams fall back only until the first chunk has been passed on; after that an error is the
 * caller's. Single-target calls pass straight through. Embeddings have no hook (pass through):
 * another model's vectors live in another space, so falling back would corrupt an index silently.
 */
export class FallbackMiddleware implements HubMiddleware {
  readonly name = 'fallback';
  private readonly random: () => number;

  constructor(
    _settings: ResilienceSettings | undefined,
    private readonly events: ResilienceEvents,
    options: FallbackMiddlewareOptions = {},
  ) {
    this.random = options.random ?? Math.random;
  }

  complete(context: HubContext, next: CompleteHandler): Promise<ChatCompletion> {
    if (context.targets.length < 2) return next(context);
    return this.withFallback(context, next);
  }

  /** A stream is committed to a target once it has opened (its first chunk is in): later errors are the caller's. */
  stream(context: HubContext, next: StreamHandler): Promise<ChatStream> {
    if (context.targets.length < 2) return next(context);
    return this.withFallback(context, next);
  }

  private async withFallback<T>(context: HubContext, next: (context: HubContext) => Promise<T>): Promise<T> {
    const plan = weightedOrder(context.targets, this.random);
    const request = context.request;
    const signal = context.signal;
    for (let i = 0; ; i++) {
      aim(context, plan[i], request, signal);
      try {
        return await next(context);
      } catch (error) {
        if (!this.fallBack(error, context, signal, plan[i], plan[i + 1])) throw error;
      }
    }
  }

  /** Whether to move on after `error` from `from`; emits the fallback event when so. */
  private fallBack(error: unknown, context: HubContext, signal: AbortSignal, from: RouteTarget, to: RouteTarget | undefined): boolean {
    if (to === undefined || !isFallbackFailure(error)) return false;
    if (signal.aborted || context.deadline.signal.aborted || context.deadline.remainingMs() <= 0) return false;
    this.events.emit({
      type: 'fallback',
      fromProvider: from.provider,
      fromModel: from.model,
      toProvider: to.provider,
      toModel: to.model,
      reason: (error as HubError).code,
    });
    return true;
  }
}

/** Points the context at `target`, from the original request and signal. */
function aim(context: HubContext, target: RouteTarget, request: ChatRequest, signal: AbortSignal): void {
  context.provider = target.provider;
  context.request = { ...request, model: target.model };
  context.signal = signal;
}
