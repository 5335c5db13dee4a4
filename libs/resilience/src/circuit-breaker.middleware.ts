import type { ChatCompletion, EmbeddingResponse } from '@llm-connector-hub/core';
import type { ChatStream, CompleteHandler, EmbedHandler, HubContext, HubContextBase, HubEmbeddingContext, HubMiddleware, StreamHandler } from '@llm-connector-hub/hub';
import { CircuitStateMachine, type Outcome } from './circuit-state';
import { ResilienceErrors, countsAgainstBreaker } from './resilience-errors';
import { ResilienceEvents } from './resilience-events';
import { resolveResilienceOptions, type BreakerOptions, type ResilienceSettings } from './resilience-options';

/**
 * `new CircuitBreakerMiddleware({ errorThreshold: 50 })`: the breaker settings for every provider
 * and model (each field unset takes its default, RESILIENCE_DEFAULTS.breaker),
 * `providers.<name>.breaker` (and `.models.<model>.breaker`) over them (the shape of the gateway's
 * `resilience:` config), and where its events go.
 */
export interface CircuitBreakerMiddlewareOptions extends Partial<BreakerOptions> {
  /** Opens when this percentage (0-100) of the calls in the sampling window failed: `failureRateThreshold` as a percentage. */
  errorThreshold?: number;
  providers?: ResilienceSettings['providers'];
  /** Receives `breaker_state` and `rejected` events (default: a channel of its own, nobody listening). */
  events?: ResilienceEvents;
  /**
   * Most breakers kept (one per provider+model seen). Past it the oldest closed one is dropped,
   * so clients sending made-up model names to a default provider cannot grow memory without
   * bound. Default 10000.
   */
  maxBreakers?: number;
}

interface BreakerEntry {
  readonly provider: string;
  readonly model: string;
  readonly circuit: CircuitStateMachine;
}

/**
 * One circuit breaker per provider+model (CircuitStateMachine, see there why it is not
 * cockatiel's). Sits inside the bulkhead and outside the retries, so one "call" here is one
 * logical request to a target, retries included.
 *
 * - Opens on `consecutiveFailures` in a row or on the failure rate over the sampling window
 *   (CompositeBreaker). Only failures with countsAgainstBreaker(error) count; client errors and
 *   callers that left count as neither success nor failure.
 * - While open, fails fast with 503 circuit_open (Retry-After = remaining cooldown) and emits
 *   `rejected`; no upstream call.
 * - After `cooldownMs`, the next call is the single probe (others fail fast meanwhile); its
 *   success closes, its failure re-opens, and a probe that told nothing leaves it half-open.
 * - Streams count when they end: success when complete, failure when they fail (before or after
 *   the first chunk), neither when the consumer stops early.
 */
export class CircuitBreakerMiddleware implements HubMiddleware {
  readonly name = 'circuit-breaker';
  private readonly breakers = new Map<string, BreakerEntry>();
  /** The same entries by provider, then model: the per-request lookup. */
  private readonly byProvider = new Map<string, Map<string, BreakerEntry>>();
  private readonly maxBreakers: number;
  private readonly settings: ResilienceSettings;
  private readonly events: ResilienceEvents;

  constructor(options: CircuitBreakerMiddlewareOptions = {}) {
    const { errorThreshold, providers, events, maxBreakers, ...breaker } = options;
    if (errorThreshold !== undefined) {
      if (!(errorThreshold >= 0 && errorThreshold <= 100)) throw new RangeError(`errorThreshold is a percentage (0-100), got ${errorThreshold}`);
      breaker.failureRateThreshold = errorThreshold / 100;
    }
    this.settings = { defaults: { breaker }, providers };
    this.events = events ?? new ResilienceEvents();
    this.maxBreakers = maxBreakers ?? 10_000;
  }

  /** From the full resilience settings (the gateway's `resilience:` config), reporting to `events`. */
  static fromSettings(
    settings: ResilienceSettings | undefined,
    events: ResilienceEvents,
    options: Pick<CircuitBreakerMiddlewareOptions, 'maxBreakers'> = {},
  ): CircuitBreakerMiddleware {
    return new CircuitBreakerMiddleware({ ...settings?.defaults?.breaker, providers: settings?.providers, events, ...options });
  }

  complete(context: HubContext, next: CompleteHandler): Promise<ChatCompletion> {
    return this.guard(context, () => next(context));
  }

  embed(context: HubEmbeddingContext, next: EmbedHandler): Promise<EmbeddingResponse> {
    return this.guard(context, () => next(context));
  }

  async stream(context: HubContext, next: StreamHandler): Promise<ChatStream> {
    const entry = this.entryFor(context.provider, context.request.model);
    const probe = this.admit(entry);
    let stream: ChatStream;
    try {
      stream = await next(context);
    } catch (error) {
      entry.circuit.record(outcomeOf(error, context), probe);
      throw error;
    }
    return stream.onEnd((ended) => {
      entry.circuit.record(ended.kind === 'completed' ? 'success' : ended.kind === 'failed' ? outcomeOf(ended.error, context) : 'neutral', probe);
    });
  }

  private async guard<T>(context: HubContext | HubEmbeddingContext, call: () => Promise<T>): Promise<T> {
    const entry = this.entryFor(context.provider, context.request.model);
    const probe = this.admit(entry);
    let result: T;
    try {
      result = await call();
    } catch (error) {
      entry.circuit.record(outcomeOf(error, context), probe);
      throw error;
    }
    entry.circuit.record('success', probe);
    return result;
  }

  /** Whether this call is the half-open probe; throws circuit_open (and emits `rejected`) when the call may not go upstream. */
  private admit(entry: BreakerEntry): boolean {
    const admission = entry.circuit.admit();
    if (admission.kind === 'rejected') {
      this.events.emit({ type: 'rejected', provider: entry.provider, model: entry.model, by: 'breaker' });
      throw ResilienceErrors.circuitOpen(entry.provider, entry.model, Math.max(1, Math.ceil(admission.retryAfterMs / 1000)));
    }
    return admission.kind === 'probe';
  }

  private entryFor(provider: string, model: string): BreakerEntry {
    // Two-level lookup first: no key string is built per request on the hot path.
    const cached = this.byProvider.get(provider)?.get(model);
    if (cached) return cached;
    const key = keyOf(provider, model);
    if (this.breakers.size >= this.maxBreakers) this.evictOne();
    const options = resolveResilienceOptions(this.settings, provider, model).breaker;
    const circuit = new CircuitStateMachine(options, (state) => this.events.emit({ type: 'breaker_state', provider, model, state }));
    const entry: BreakerEntry = { provider, model, circuit };
    this.breakers.set(key, entry);
    let models = this.byProvider.get(provider);
    if (!models) this.byProvider.set(provider, (models = new Map<string, BreakerEntry>()));
    models.set(model, entry);
    return entry;
  }

  /** Drops the oldest closed breaker (it holds only recent counts), else the oldest. */
  private evictOne(): void {
    let oldest: string | undefined;
    for (const [key, entry] of this.breakers) {
      oldest ??= key;
      if (entry.circuit.state === 'closed') {
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

/** A failure counts against the breaker only when countsAgainstBreaker says so and the caller was still there. */
function outcomeOf(error: unknown, context: HubContextBase): Outcome {
  return countsAgainstBreaker(error) && !callerLeft(context) ? 'failure' : 'neutral';
}

function keyOf(provider: string, model: string): string {
  return `${provider}\u0000${model}`;
}

/** The caller went away (or the gateway aborted the call on shutdown): not the upstream's fault. */
function callerLeft(context: HubContextBase): boolean {
  return context.deadline.signal.aborted && context.deadline.remainingMs() > 0;
}
