import type { ChatCompletion, EmbeddingResponse, HubError } from '@llm-connector-hub/core';
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
import { ResilienceErrors } from './resilience-errors';
import type { ResilienceEvents } from './resilience-events';
import { resolveResilienceOptions, type ResilienceSettings } from './resilience-options';

type TimeoutKind = 'attempt' | 'first_token';

/** One timeout as configured for a provider: how long, and which kind. */
interface TimeoutRule {
  ms: number;
  kind: TimeoutKind;
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
 * upstream HTTP request really stops; the attempt also settles at expiry if the provider ignores its
 * signal. A caller that leaves (or the total deadline) still surfaces as the caller's error, not as
 * an attempt timeout. 0 turns a timeout off.
 *
 * Hand-written (Attempt, below) rather than cockatiel's TimeoutPolicy, which this layer used
 * before: a stream's attempt signal must stay linked to the call's after the timed part (the first
 * chunk) is over, and cockatiel's signal lives only as long as the function it runs, so a stream
 * needed a controller of its own on top of cockatiel's. This is one AbortController and one timer
 * per attempt, for completions and streams alike.
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
    return this.timed(rule, context, (signal) => next({ ...context, signal }));
  }

  embed(context: HubEmbeddingContext, next: EmbedHandler): Promise<EmbeddingResponse> {
    const rule = this.forProvider(context.provider).call;
    if (!rule) return next(context);
    return this.timed(rule, context, (signal) => next({ ...context, signal }));
  }

  /** Times the opening of a stream (its first chunk); its attempt signal stays linked to the call's until it ends. */
  stream(context: HubContext, next: StreamHandler): Promise<ChatStream> {
    const rule = this.forProvider(context.provider).firstChunk;
    if (!rule) return next(context);
    return this.timed(rule, context, (signal) => next({ ...context, signal }), (stream, attempt) =>
      stream.onEnd((outcome) => {
        // The consumer stopped reading: stop the upstream too.
        if (outcome.kind === 'closed') attempt.controller.abort(new DOMException('the stream was closed by its consumer', 'AbortError'));
        attempt.unlink();
      }),
    );
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

  /**
   * Runs one attempt under the rule's timer. Without `keep`, the attempt's signal is unlinked
   * from the call's once it settles; `keep` takes over a result that lives on (a stream). A
   * result that arrives after the attempt timed out is let go (a stream is closed).
   */
  private timed<T>(rule: TimeoutRule, context: HubContextBase, start: (signal: AbortSignal) => Promise<T>, keep?: (value: T, attempt: Attempt) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const attempt = new Attempt(context.signal, rule.ms, () => {
        if (settled) return;
        settled = true;
        attempt.unlink();
        reject(this.failure(rule, context, undefined, true));
      });
      start(attempt.controller.signal).then(
        (value) => {
          attempt.stopTimer();
          if (settled) {
            void (value as { return?: () => unknown }).return?.();
            return;
          }
          settled = true;
          if (keep) resolve(keep(value, attempt));
          else {
            attempt.unlink();
            resolve(value);
          }
        },
        (error: unknown) => {
          attempt.stopTimer();
          if (settled) return;
          settled = true;
          attempt.unlink();
          reject(this.failure(rule, context, error, attempt.timedOut));
        },
      );
    });
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
  return { ms, kind };
}

/** One attempt's AbortController: aborted when the call's signal aborts, or by its timer at expiry (then `onExpire` runs). */
class Attempt {
  readonly controller = new AbortController();
  timedOut = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly parent: AbortSignal,
    ms: number,
    onExpire: () => void,
  ) {
    if (parent.aborted) this.controller.abort(parent.reason);
    else parent.addEventListener('abort', this.onParentAbort, { once: true });
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort(new DOMException(`timed out after ${ms} ms`, 'TimeoutError'));
      onExpire();
    }, ms);
  }

  stopTimer(): void {
    clearTimeout(this.timer);
  }

  unlink(): void {
    this.parent.removeEventListener('abort', this.onParentAbort);
  }

  private readonly onParentAbort = () => this.controller.abort(this.parent.reason);
}
