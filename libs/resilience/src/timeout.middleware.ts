import { timeout, TimeoutStrategy, type TimeoutPolicy } from 'cockatiel';
import type { ChatCompletion, ChatCompletionChunk, EmbeddingResponse, HubError } from '@llm-connector-hub/core';
import type {
  CompleteHandler,
  EmbedHandler,
  HubContext,
  HubContextBase,
  HubEmbeddingContext,
  HubMiddleware,
  StreamHandler,
} from '@llm-connector-hub/hub';
import { ResilienceErrors } from './resilience-errors';
import type { ResilienceEvents } from './resilience-events';
import { resolveResilienceOptions, type ResilienceSettings } from './resilience-options';

type TimeoutKind = 'attempt' | 'first_token';

/** One timeout as configured for a provider: how long, which kind, and the cockatiel policy. */
interface TimeoutRule {
  ms: number;
  kind: TimeoutKind;
  policy: TimeoutPolicy;
}

interface ProviderTimeouts {
  /** complete() and embed(): `attemptMs`. */
  call: TimeoutRule | null;
  /** stream(): until the first chunk, the tighter of `firstTokenMs` and `attemptMs`. */
  firstChunk: TimeoutRule | null;
}

/**
 * Per-attempt timeouts. Sits innermost (just outside the provider), so each retry gets its own.
 *  - complete / embed: an attempt longer than `timeout.attemptMs` is aborted: 504 `upstream_timeout`.
 *  - stream: the first chunk must arrive within `timeout.firstTokenMs` (504 `first_token_timeout`)
 *    and within `timeout.attemptMs` (504 `upstream_timeout`), whichever is tighter. Once a stream
 *    has started, only the call's total deadline bounds it: a long generation is not cut off.
 * Each attempt runs with its own AbortSignal, linked to the call's, and expiry aborts it, so the
 * upstream HTTP request really stops. A caller that leaves (or the total deadline) still surfaces
 * as the caller's error, not as an attempt timeout. 0 turns a timeout off.
 *
 * Uses cockatiel's TimeoutPolicy (aggressive: the call settles at expiry even if the provider
 * ignores its signal; abortOnReturn off, so a finished attempt's signal stays quiet and an aborted
 * one means the timer or the caller fired).
 */
export class TimeoutMiddleware implements HubMiddleware {
  readonly name = 'timeout';
  private readonly providers = new Map<string, ProviderTimeouts>();

  constructor(
    private readonly settings: ResilienceSettings | undefined,
    private readonly events: ResilienceEvents,
  ) {}

  complete(context: HubContext, next: CompleteHandler): Promise<ChatCompletion> {
    const rule = this.forProvider(context.provider).call;
    if (!rule) return next(context);
    return this.run(rule, context, (signal) => next({ ...context, signal }));
  }

  embed(context: HubEmbeddingContext, next: EmbedHandler): Promise<EmbeddingResponse> {
    const rule = this.forProvider(context.provider).call;
    if (!rule) return next(context);
    return this.run(rule, context, (signal) => next({ ...context, signal }));
  }

  stream(context: HubContext, next: StreamHandler): AsyncIterable<ChatCompletionChunk> {
    const rule = this.forProvider(context.provider).firstChunk;
    if (!rule) return next(context);
    return this.timedStream(rule, context, next);
  }

  private forProvider(name: string): ProviderTimeouts {
    let timeouts = this.providers.get(name);
    if (!timeouts) {
      const { attemptMs, firstTokenMs } = resolveResilienceOptions(this.settings, name).timeout;
      const firstChunk: [number, TimeoutKind] | undefined =
        firstTokenMs > 0 && (attemptMs <= 0 || firstTokenMs <= attemptMs)
          ? [firstTokenMs, 'first_token']
          : attemptMs > 0
            ? [attemptMs, 'attempt']
            : undefined;
      timeouts = {
        call: attemptMs > 0 ? rule(attemptMs, 'attempt') : null,
        firstChunk: firstChunk ? rule(...firstChunk) : null,
      };
      this.providers.set(name, timeouts);
    }
    return timeouts;
  }

  private async run<T>(rule: TimeoutRule, context: HubContextBase, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
    let attemptSignal: AbortSignal | undefined;
    try {
      // The policy derives the attempt's signal from the call's and aborts it on expiry.
      return await rule.policy.execute(({ signal }) => {
        attemptSignal = signal;
        return attempt(signal);
      }, context.signal);
    } catch (error) {
      throw this.failure(rule, context, error, attemptSignal?.aborted === true);
    }
  }

  /**
   * The attempt's signal lives as long as the stream (linked to the call's); the policy only
   * times the first `next()`. After that, the chunks pass through untouched.
   */
  private async *timedStream(rule: TimeoutRule, context: HubContext, next: StreamHandler): AsyncGenerator<ChatCompletionChunk> {
    const parent = context.signal;
    const controller = new AbortController();
    const onParentAbort = () => controller.abort(parent.reason);
    if (parent.aborted) onParentAbort();
    else parent.addEventListener('abort', onParentAbort, { once: true });
    let finished = false;
    let iterator: AsyncIterator<ChatCompletionChunk> | undefined;
    try {
      iterator = next({ ...context, signal: controller.signal })[Symbol.asyncIterator]();
      const inner = iterator;
      let timerSignal: AbortSignal | undefined;
      let first: IteratorResult<ChatCompletionChunk>;
      try {
        first = await rule.policy.execute(({ signal }) => {
          timerSignal = signal;
          return inner.next();
        }, parent);
      } catch (error) {
        finished = true; // the inner stream failed, or is being aborted below: nothing to close
        const timedOut = timerSignal?.aborted === true && !parent.aborted;
        const failure = this.failure(rule, context, error, timedOut);
        if (timedOut) controller.abort(failure);
        throw failure;
      }
      if (first.done) {
        finished = true;
        return;
      }
      yield first.value;
      for (;;) {
        const result = await inner.next();
        if (result.done) {
          finished = true;
          return;
        }
        yield result.value;
      }
    } catch (error) {
      finished = true;
      throw error;
    } finally {
      parent.removeEventListener('abort', onParentAbort);
      if (!finished && iterator) {
        // The caller stopped reading (return()): stop the upstream, then let the inner stream clean up.
        controller.abort(new DOMException('the stream was closed by its consumer', 'AbortError'));
        await iterator.return?.();
      }
    }
  }

  /** What a failed attempt becomes: the caller's error, a timeout, or the provider's own error. */
  private failure(rule: TimeoutRule, context: HubContextBase, error: unknown, timedOut: boolean): unknown {
    if (context.signal.aborted) return context.deadline.translate(context.signal.reason, context.provider);
    if (!timedOut) return error;
    const model = (context as HubContext | HubEmbeddingContext).request.model;
    this.events.emit({ type: 'timeout', provider: context.provider, model, kind: rule.kind });
    const timeoutError: HubError =
      rule.kind === 'first_token'
        ? ResilienceErrors.firstTokenTimeout(context.provider, rule.ms)
        : ResilienceErrors.attemptTimeout(context.provider, rule.ms);
    return timeoutError;
  }
}

function rule(ms: number, kind: TimeoutKind): TimeoutRule {
  return { ms, kind, policy: timeout(ms, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false }) };
}
