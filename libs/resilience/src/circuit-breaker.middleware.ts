import {
  CircuitBreakerPolicy,
  CircuitState,
  circuitBreaker,
  handleWhen,
  isBrokenCircuitError,
  isIsolatedCircuitError,
  type IBackoff,
  type IHalfOpenAfterBackoffContext,
} from 'cockatiel';
import type { ChatCompletion, EmbeddingResponse } from '@llm-connector-hub/core';
import type { ChatStream, CompleteHandler, EmbedHandler, HubContext, HubContextBase, HubEmbeddingContext, HubMiddleware, StreamHandler } from '@llm-connector-hub/hub';
import { CompositeBreaker } from './composite-breaker';
import { ResilienceErrors, countsAgainstBreaker } from './resilience-errors';
import type { ResilienceEvents } from './resilience-events';
import { resolveResilienceOptions, type ResilienceSettings } from './resilience-options';

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface CircuitBreakerMiddlewareOptions {
  /**
   * Most breakers kept (one per provider+model seen). Past it the oldest closed one is dropped,
   * so clients sending made-up model names to a default provider cannot grow memory without
   * bound. Default 10000.
   */
  maxBreakers?: number;
}

/**
 * An outcome that is neither success nor failure (a client error, a caller that left, a stream
 * consumer that stopped early). Thrown through cockatiel wrapped in this, then unwrapped.
 * In Closed state the policy does not handle it, so cockatiel rethrows it without telling the
 * breaker. On a half-open probe cockatiel would *close* the circuit on an error it does not
 * handle, so there the policy does handle it, and the cooldown it gets is 0: the circuit stays
 * (reported as) half-open and the next call is the probe.
 */
class NeutralOutcome {
  constructor(
    readonly original: unknown,
    readonly probe: boolean,
  ) {}
}

interface BreakerEntry {
  readonly provider: string;
  readonly model: string;
  readonly policy: CircuitBreakerPolicy;
  /** The policy's breaker: the closed-state fast path reports successes to it directly. */
  readonly breaker: CompositeBreaker;
  /** The state last emitted. */
  reported: BreakerState;
  /** When the circuit last opened (Date.now()) and for how long. */
  openedAt: number;
  openFor: number;
}

/**
 * One cockatiel circuit breaker per provider+model. Sits inside the bulkhead and outside the
 * retries, so one "call" here is one logical request to a target, retries included.
 *
 * - Opens on `consecutiveFailures` in a row or on the failure rate over the sampling window
 *   (CompositeBreaker). Only failures with countsAgainstBreaker(error) count; client errors and
 *   callers that left count as neither success nor failure.
 * - While open, fails fast with 503 circuit_open (Retry-After = remaining cooldown) and emits
 *   `rejected`; no upstream call.
 * - After `cooldownMs`, the next call is the single probe (others fail fast meanwhile: cockatiel
 *   would make them wait for the probe); its success closes, its failure re-opens.
 * - Streams count when they end: success when complete, failure when they fail (before or after
 *   the first chunk), neither when the consumer stops early.
 */
export class CircuitBreakerMiddleware implements HubMiddleware {
  readonly name = 'circuit-breaker';
  private readonly breakers = new Map<string, BreakerEntry>();
  /** The same entries by provider, then model: the per-request lookup. */
  private readonly byProvider = new Map<string, Map<string, BreakerEntry>>();
  private readonly maxBreakers: number;

  constructor(
    private readonly settings: ResilienceSettings | undefined,
    private readonly events: ResilienceEvents,
    options: CircuitBreakerMiddlewareOptions = {},
  ) {
    this.maxBreakers = options.maxBreakers ?? 10_000;
  }

  complete(context: HubContext, next: CompleteHandler): Promise<ChatCompletion> {
    return this.guard(context, () => next(context));
  }

  embed(context: HubEmbeddingContext, next: EmbedHandler): Promise<EmbeddingResponse> {
    return this.guard(context, () => next(context));
  }

  stream(context: HubContext, next: StreamHandler): Promise<ChatStream> {
    const entry = this.entryFor(context.provider, context.request.model);
    return this.admit(entry) ? this.probeStream(entry, context, next) : this.closedStream(entry, context, next);
  }

  private async guard<T>(context: HubContext | HubEmbeddingContext, call: () => Promise<T>): Promise<T> {
    const entry = this.entryFor(context.provider, context.request.model);
    const probe = this.admit(entry);
    if (!probe) return this.closedCall(entry, context, call);
    try {
      return await entry.policy.execute(async () => {
        try {
          return await call();
        } catch (error) {
          throw this.classify(error, context, probe);
        }
      });
    } catch (error) {
      throw this.unwrap(error, entry);
    }
  }

  /**
   * The healthy path, kept out of cockatiel's executor (two async frames, a result object and
   * timing per call, measurable at 20k req/s): while closed, a success is reported straight to the
   * breaker, exactly as CircuitBreakerPolicy.execute would. A failure that counts is replayed
   * through the policy so cockatiel records it and opens the circuit itself when it should; if
   * the circuit left Closed meanwhile it is not replayed (it could become a half-open probe).
   */
  private async closedCall<T>(entry: BreakerEntry, context: HubContextBase, call: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await call();
    } catch (error) {
      await this.closedFailure(entry, context, error);
      throw error;
    }
    closedSuccess(entry);
    return result;
  }

  /** The healthy path for a stream, as closedCall: its outcome is reported when it ends; a consumer that stopped early says nothing. */
  private async closedStream(entry: BreakerEntry, context: HubContext, next: StreamHandler): Promise<ChatStream> {
    let stream: ChatStream;
    try {
      stream = await next(context);
    } catch (error) {
      await this.closedFailure(entry, context, error);
      throw error;
    }
    return stream.onEnd((outcome) => {
      if (outcome.kind === 'completed') closedSuccess(entry);
      else if (outcome.kind === 'failed') return this.closedFailure(entry, context, outcome.error);
      return undefined;
    });
  }

  /** Replays a failure that counts through the policy, so cockatiel records it (and opens the circuit) itself. */
  private async closedFailure(entry: BreakerEntry, context: HubContextBase, error: unknown): Promise<void> {
    if (countsAgainstBreaker(error) && !callerLeft(context) && entry.policy.state === CircuitState.Closed) {
      await entry.policy.execute(() => Promise.reject(error)).catch(() => undefined);
    }
  }

  /**
   * The half-open probe for a stream runs through cockatiel, with the stream's whole life as the
   * execution: it settles when the stream ends (a consumer that stopped early is neutral).
   */
  private async probeStream(entry: BreakerEntry, context: HubContext, next: StreamHandler): Promise<ChatStream> {
    let settle!: { resolve: () => void; reject: (error: unknown) => void };
    const outcome = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    let admitted!: () => void;
    const invoked = new Promise<void>((resolve) => (admitted = resolve));
    const execution = entry.policy.execute(() => {
      admitted();
      return outcome;
    });
    // Settled and awaited below; this only keeps an early rejection from being reported as unhandled.
    execution.catch(() => undefined);
    try {
      // Admitted (cockatiel called the function), or refused (a broken-circuit error).
      await Promise.race([invoked, execution]);
    } catch (error) {
      throw this.unwrap(error, entry);
    }
    let stream: ChatStream;
    try {
      stream = await next(context);
    } catch (error) {
      settle.reject(this.classify(error, context, true));
      throw await execution.then(
        () => error,
        (failure: unknown) => this.unwrap(failure, entry),
      );
    }
    return stream.onEnd((ended) => {
      if (ended.kind === 'completed') settle.resolve();
      else settle.reject(ended.kind === 'failed' ? this.classify(ended.error, context, true) : new NeutralOutcome(undefined, true));
      return execution.catch(() => undefined);
    });
  }

  /**
   * Fails fast while open or while a probe is in flight; returns whether this call will be the
   * half-open probe. Mirrors cockatiel's own test (`now - openedAt < duration`); our openedAt is
   * taken in the same tick as cockatiel's, never earlier, so we never admit a call it would refuse.
   */
  private admit(entry: BreakerEntry): boolean {
    const state = entry.policy.state;
    if (state === CircuitState.Closed) return false;
    if (state === CircuitState.Open) {
      const left = entry.openedAt + entry.openFor - Date.now();
      if (left <= 0) return true;
      throw this.reject(entry, left);
    }
    throw this.reject(entry, 0);
  }

  private reject(entry: BreakerEntry, leftMs: number) {
    this.events.emit({ type: 'rejected', provider: entry.provider, model: entry.model, by: 'breaker' });
    return ResilienceErrors.circuitOpen(entry.provider, entry.model, Math.max(1, Math.ceil(leftMs / 1000)));
  }

  /** Wraps outcomes that must count as neither success nor failure. */
  private classify(error: unknown, context: HubContextBase, probe: boolean): unknown {
    return countsAgainstBreaker(error) && !callerLeft(context) ? error : new NeutralOutcome(error, probe);
  }

  private unwrap(error: unknown, entry: BreakerEntry): unknown {
    if (error instanceof NeutralOutcome) return error.original;
    if (isBrokenCircuitError(error) || isIsolatedCircuitError(error)) {
      return this.reject(entry, entry.openedAt + entry.openFor - Date.now());
    }
    return error;
  }

  private entryFor(provider: string, model: string): BreakerEntry {
    // Two-level lookup first: no key string is built per request on the hot path.
    const cached = this.byProvider.get(provider)?.get(model);
    if (cached) return cached;
    const key = keyOf(provider, model);
    if (this.breakers.size >= this.maxBreakers) this.evictOne();
    const entry = this.createEntry(provider, model);
    this.breakers.set(key, entry);
    let models = this.byProvider.get(provider);
    if (!models) this.byProvider.set(provider, (models = new Map<string, BreakerEntry>()));
    models.set(model, entry);
    return entry;
  }

  private createEntry(provider: string, model: string): BreakerEntry {
    const options = resolveResilienceOptions(this.settings, provider, model).breaker;
    let entry!: BreakerEntry;
    const cooldown = (context: IHalfOpenAfterBackoffContext): IBackoff<IHalfOpenAfterBackoffContext> => {
      const neutralProbe = 'error' in context.result && context.result.error instanceof NeutralOutcome;
      const duration = neutralProbe ? 0 : options.cooldownMs;
      entry.openFor = duration;
      return { duration, next: cooldown };
    };
    const breaker = new CompositeBreaker(options);
    const policy = circuitBreaker(
      handleWhen((error: unknown) => (error instanceof NeutralOutcome ? error.probe : true)),
      { halfOpenAfter: { next: cooldown }, breaker },
    );
    entry = { provider, model, policy, breaker, reported: 'closed', openedAt: 0, openFor: 0 };
    policy.onStateChange((state) => {
      if (state === CircuitState.Open) entry.openedAt = Date.now();
      // Re-opened for 0 ms after a probe that told us nothing: still waiting for a probe.
      const reported: BreakerState =
        state === CircuitState.Closed ? 'closed' : state === CircuitState.HalfOpen || entry.openFor === 0 ? 'half_open' : 'open';
      if (reported === entry.reported) return;
      entry.reported = reported;
      this.events.emit({ type: 'breaker_state', provider, model, state: reported });
    });
    return entry;
  }

  /** Drops the oldest closed breaker (it holds only recent counts), else the oldest. */
  private evictOne(): void {
    let oldest: string | undefined;
    for (const [key, entry] of this.breakers) {
      oldest ??= key;
      if (entry.reported === 'closed' && entry.policy.state === CircuitState.Closed) {
        this.forget(key, entry);
        return;
      }
    }
    if (oldest !== undefined) this.forget(oldest, this.breakers.get(oldest)!);
  }

  private forget(key: string, entry: BreakerEntry): void {
    this.breakers.delete(key);
    this.byProvider.get(entry.provider)?.delete(entry.model);
  }
}

/** A success reported straight to the breaker while closed, exactly as CircuitBreakerPolicy.execute would. */
function closedSuccess(entry: BreakerEntry): void {
  if (entry.policy.state === CircuitState.Closed) entry.breaker.success(CircuitState.Closed);
}

function keyOf(provider: string, model: string): string {
  return `${provider}\u0000${model}`;
}

/** The caller went away (or the gateway aborted the call on shutdown): not the upstream's fault. */
function callerLeft(context: HubContextBase): boolean {
  return context.deadline.signal.aborted && context.deadline.remainingMs() > 0;
}
