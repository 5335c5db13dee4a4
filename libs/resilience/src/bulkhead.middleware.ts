import type { ChatCompletion, EmbeddingResponse } from '@llm-connector-hub/core';
import type {
  ChatStream,
  CompleteHandler,
  EmbedHandler,
  HubContext,
  HubContextBase,
  HubEmbeddingContext,
  HubMiddleware,
  StreamHandler,
} from '@llm-connector-hub/hub';
import { Bulkhead, type Release } from './bulkhead';
import { ResilienceErrors } from './resilience-errors';
import type { ResilienceEvents } from './resilience-events';
import { resolveResilienceOptions, type ResilienceSettings } from './resilience-options';

/**
 * Per provider, at most `bulkhead.maxConcurrent` calls in flight upstream and `bulkhead.maxQueue`
 * waiting for a slot; beyond that, 429 `gateway_overloaded` with Retry-After 1 (event `rejected`
 * by `bulkhead`), which a fallback may route elsewhere. A stream holds its slot until it ends:
 * completed, failed, or closed early by its consumer. A queued call whose caller leaves gives up
 * its place at once. Emits `bulkhead_queue` whenever the executing or queued counts change.
 * `maxConcurrent` 0 or Infinity means no limit (calls pass straight through).
 */
export class BulkheadMiddleware implements HubMiddleware {
  readonly name = 'bulkhead';
  private readonly providers = new Map<string, Bulkhead | null>();

  constructor(
    private readonly settings: ResilienceSettings | undefined,
    private readonly events: ResilienceEvents,
  ) {}

  complete(context: HubContext, next: CompleteHandler): Promise<ChatCompletion> {
    const bulkhead = this.forProvider(context.provider);
    return bulkhead ? this.holding(bulkhead, context, () => next(context)) : next(context);
  }

  embed(context: HubEmbeddingContext, next: EmbedHandler): Promise<EmbeddingResponse> {
    const bulkhead = this.forProvider(context.provider);
    return bulkhead ? this.holding(bulkhead, context, () => next(context)) : next(context);
  }

  /** Runs `call` holding a slot. A free slot is taken synchronously: no extra await on the hot path. */
  private holding<T>(bulkhead: Bulkhead, context: HubContextBase & { request: { model: string } }, call: () => Promise<T>): Promise<T> {
    const slot = bulkhead.acquire(context.signal);
    if (typeof slot === 'function') {
      let result: Promise<T>;
      try {
        result = call();
      } catch (error) {
        slot();
        return Promise.reject(error);
      }
      result.then(slot, slot);
      return result;
    }
    return this.acquire(bulkhead, context, slot).then((release) => {
      const result = call();
      result.then(release, release);
      return result;
    });
  }

  /** A stream keeps its slot until it ends: completed, failed, or closed by its consumer. */
  stream(context: HubContext, next: StreamHandler): Promise<ChatStream> {
    const bulkhead = this.forProvider(context.provider);
    if (!bulkhead) return next(context);
    return this.holdingStream(bulkhead, context, next);
  }

  private async holdingStream(bulkhead: Bulkhead, context: HubContext, next: StreamHandler): Promise<ChatStream> {
    const release = await this.acquire(bulkhead, context, bulkhead.acquire(context.signal));
    let stream: ChatStream;
    try {
      stream = await next(context);
    } catch (error) {
      release();
      throw error;
    }
    return stream.onEnd(release);
  }

  private forProvider(name: string): Bulkhead | null {
    let bulkhead = this.providers.get(name);
    if (bulkhead === undefined) {
      const { maxConcurrent, maxQueue } = resolveResilienceOptions(this.settings, name).bulkhead;
      bulkhead =
        maxConcurrent > 0 && Number.isFinite(maxConcurrent)
          ? new Bulkhead(maxConcurrent, Math.max(0, maxQueue), (executing, queued) => {
              if (this.events.active) this.events.emit({ type: 'bulkhead_queue', provider: name, executing, queued });
            })
          : null;
      this.providers.set(name, bulkhead);
    }
    return bulkhead;
  }

  private async acquire(
    bulkhead: Bulkhead,
    context: HubContextBase & { request: { model: string } },
    slot: Release | Promise<Release> | undefined,
  ): Promise<Release> {
    if (slot === undefined) {
      this.events.emit({ type: 'rejected', provider: context.provider, model: context.request.model, by: 'bulkhead' });
      throw ResilienceErrors.bulkheadFull(context.provider);
    }
    if (typeof slot === 'function') return slot;
    try {
      return await slot;
    } catch (error) {
      // Left the queue because the caller went away (or the total deadline passed).
      throw context.deadline.translate(error, context.provider);
    }
  }
}
