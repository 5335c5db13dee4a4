import { DelegateBackoff, handleWhen, retry, type IBackoff, type IBackoffFactory, type IRetryBackoffContext } from 'cockatiel';
import { HubError, type ChatCompletion, type EmbeddingResponse } from '@llm-connector-hub/core';
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
import { isRetryableFailure } from './resilience-errors';
import { ResilienceEvents } from './resilience-events';
import { resolveResilienceOptions, type DeepPartial, type ResilienceSettings, type RetryOptions } from './resilience-options';
import { abortableDelay, fullJitterBackoff, retryAfterMs } from './retry-backoff';
import { RetryBudget } from './retry-budget';

/** Test hooks: a clock for the retry budget's window and a random source for the jitter. */
export interface RetryMiddlewareHooks {
  now?: () => number;
  random?: () => number;
}

/**
 * `new RetryMiddleware({ maxAttempts: 3 })`: the retry settings for every provider (each field
 * unset takes its default, RESILIENCE_DEFAULTS.retry), `providers.<name>.retry` over them for one
 * provider (the shape of the gateway's `resilience:` config), and where its events go.
 */
export interface RetryMiddlewareOptions extends DeepPartial<RetryOptions> {
  providers?: ResilienceSettings['providers'];
  /** Receives `retry` and `retry_budget_exhausted` events (default: a channel of its own, nobody listening). */
  events?: ResilienceEvents;
}

/** What one provider's retries need, resolved once and kept for the life of the middleware. */
interface ProviderRetry {
  options: RetryOptions;
  backoff: IBackoffFactory<unknown>;
  budget: RetryBudget;
}

/**
 * Retries failures that may succeed when sent again (isRetryableFailure: what core's error
 * catalogue marks retryable), up to `retry.maxAttempts` attempts in all, with exponential
 * backoff and full jitter, or the provider's own Retry-After when it sent one. It gives up (and
 * throws the last error, so a fallback can take over) when:
 *  - the provider asks for a wait longer than `maxRetryAfterMs`;
 *  - the wait would not end before the call's deadline;
 *  - the provider's retry budget is spent (event `retry_budget_exhausted`);
 *  - the caller went away (never retried; a wait in progress ends at once).
 * Streams are retried only until their first chunk: once a chunk has reached the caller, a
 * failure propagates untouched.
 *
 * The loop is cockatiel's RetryPolicy, used through its documented interface: the error filter
 * (handleWhen) only says which errors are retryable, the decision to give up (Retry-After too long,
 * deadline, budget) is a DelegateBackoff that throws the error, as cockatiel's documentation shows,
 * and `execute(fn, signal)` stops retrying once the caller's signal aborted. Cockatiel waits out a
 * backoff in a timer that ignores the signal, so its backoff is zero and the wait is ours, at the
 * start of the next attempt, and ends as soon as the caller leaves.
 */
export class RetryMiddleware implements HubMiddleware {
  readonly name = 'retry';
  private readonly providers = new Map<string, ProviderRetry | null>();
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly settings: ResilienceSettings;
  private readonly events: ResilienceEvents;

  constructor(options: RetryMiddlewareOptions = {}, hooks: RetryMiddlewareHooks = {}) {
    const { providers, events, ...retry } = options;
    this.settings = { defaults: { retry }, providers };
    this.events = events ?? new ResilienceEvents();
    this.now = hooks.now ?? Date.now;
    this.random = hooks.random ?? Math.random;
  }

  /** From the full resilience settings (the gateway's `resilience:` config), reporting to `events`. */
  static fromSettings(settings: ResilienceSettings | undefined, events: ResilienceEvents, hooks: RetryMiddlewareHooks = {}): RetryMiddleware {
    return new RetryMiddleware({ ...settings?.defaults?.retry, providers: settings?.providers, events }, hooks);
  }

  complete(context: HubContext, next: CompleteHandler): Promise<ChatCompletion> {
    const provider = this.forProvider(context.provider);
    if (!provider) return next(context);
    return this.execute(provider, context, () => next(context));
  }

  embed(context: HubEmbeddingContext, next: EmbedHandler): Promise<EmbeddingResponse> {
    const provider = this.forProvider(context.provider);
    if (!provider) return next(context);
    return this.execute(provider, context, () => next(context));
  }

  /** A stream is retried only until it has opened (its first chunk is in): once a chunk can reach the caller, a failure propagates. */
  stream(context: HubContext, next: StreamHandler): Promise<ChatStream> {
    const provider = this.forProvider(context.provider);
    if (!provider) return next(context);
    return this.execute(provider, context, () => next(context));
  }

  /** The provider's retry state; null when retries are off for it (then calls pass straight through). */
  private forProvider(name: string): ProviderRetry | null {
    let provider = this.providers.get(name);
    if (provider === undefined) {
      const options = resolveResilienceOptions(this.settings, name).retry;
      provider =
        options.maxAttempts > 1
          ? { options, backoff: fullJitterBackoff(options, this.random), budget: new RetryBudget(options.budget, this.now) }
          : null;
      this.providers.set(name, provider);
    }
    return provider;
  }

  /**
   * The first attempt runs outside cockatiel: the healthy path pays one promise and no policy.
   * Only a failure worth retrying builds the call's policy for the remaining attempts (per call,
   * because its backoff decides from the call's deadline and attempts).
   */
  private execute<T>(provider: ProviderRetry, context: HubContextBase & { request: { model: string } }, operation: () => Promise<T>): Promise<T> {
    provider.budget.recordRequest();
    return operation().catch((error: unknown) => {
      const call = new RetryCall(provider, context, this.events);
      call.decide(error);
      const policy = retry(handleWhen(isRetryableHubError), {
        // Attempts after the first retry (which is the policy's own first run).
        maxAttempts: provider.options.maxAttempts - 2,
        backoff: new DelegateBackoff((retryContext: IRetryBackoffContext<unknown>) => {
          call.decide('error' in retryContext.result ? retryContext.result.error : undefined);
          return 0;
        }),
      });
      return policy.execute(async () => {
        await call.waitBeforeRetry();
        return operation();
      }, context.signal);
    });
  }
}

function isRetryableHubError(error: unknown): error is HubError {
  return error instanceof HubError && isRetryableFailure(error);
}

/** One call's retry decisions: whether to retry after a failure, and how long to wait first. */
class RetryCall {
  /** Attempts made so far (the first included). */
  private attempts = 1;
  private backoff?: IBackoff<unknown>;
  private delayMs = 0;

  constructor(
    private readonly provider: ProviderRetry,
    private readonly context: HubContextBase & { request: { model: string } },
    private readonly events: ResilienceEvents,
  ) {}

  /** After a failed attempt: returns when it is to be retried (after waitBeforeRetry()), throws the error when not. */
  decide(error: unknown): void {
    if (!this.shouldRetry(error)) throw error;
    this.attempts += 1;
  }

  private shouldRetry(failure: unknown): boolean {
    const { context, provider } = this;
    if (!isRetryableHubError(failure) || context.signal.aborted) return false;
    if (this.attempts >= provider.options.maxAttempts) return false;

    // Keep the exponent in step with the retry number even when Retry-After decides the wait.
    this.backoff = this.backoff ? this.backoff.next(undefined) : provider.backoff.next(undefined);
    const asked = retryAfterMs(failure);
    if (asked !== undefined && asked > provider.options.maxRetryAfterMs) return false;
    const delayMs = asked ?? this.backoff.duration;
    // Bounded total time: a wait that would outlast the call's deadline leaves no time to try.
    if (delayMs >= context.deadline.remainingMs()) return false;

    const model = context.request.model;
    if (!provider.budget.tryAcquireRetry()) {
      context.meta.retryBudgetExhausted = true;
      this.events.emit({ type: 'retry_budget_exhausted', provider: context.provider, model });
      return false;
    }
    this.delayMs = delayMs;
    // `attempt` is the attempt about to start (2 for the first retry).
    this.events.emit({ type: 'retry', provider: context.provider, model, attempt: this.attempts + 1, delayMs, reason: failure.code });
    return true;
  }

  /** Waits the chosen delay; a caller that leaves (or the deadline passing) ends the wait with its error. */
  async waitBeforeRetry(): Promise<void> {
    try {
      await abortableDelay(this.delayMs, this.context.signal);
    } catch (error) {
      throw this.context.deadline.translate(error, this.context.provider);
    }
  }
}
