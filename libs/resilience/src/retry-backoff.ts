import { setTimeout as sleep } from 'node:timers/promises';
import { ExponentialBackoff, noJitterGenerator, type GeneratorFn, type IBackoffFactory } from 'cockatiel';
import { HubError } from '@llm-connector-hub/core';
import type { RetryOptions } from './resilience-options';

/**
 * Exponential backoff with full jitter: the n-th retry waits a random time in
 * [0, min(maxDelayMs, initialDelayMs * 2^(n-1))). Cockatiel's ExponentialBackoff with its own
 * doubling-and-cap generator; only the random source is ours, so tests can pin it (cockatiel's
 * fullJitterGenerator always uses Math.random).
 */
export function fullJitterBackoff(options: Pick<RetryOptions, 'initialDelayMs' | 'maxDelayMs'>, random: () => number = Math.random): IBackoffFactory<unknown> {
  const generator: GeneratorFn<number> = (state, generatorOptions) => {
    const [cap, next] = noJitterGenerator(state, generatorOptions);
    return [Math.floor(random() * cap), next];
  };
  return new ExponentialBackoff({ generator, initialDelay: options.initialDelayMs, maxDelay: options.maxDelayMs, exponent: 2 });
}

/**
 * The wait a provider asked for (Retry-After / retry-after-ms, parsed by the transport into
 * `retryAfterSeconds`), in ms; undefined when it asked for none.
 */
export function retryAfterMs(error: unknown): number | undefined {
  if (!(error instanceof HubError)) return undefined;
  const seconds = error.retryAfterSeconds;
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return undefined;
  return Math.ceil(seconds * 1000);
}

/**
 * Waits `ms`, or rejects with the signal's reason as soon as it aborts (the timer is cleared).
 * Cockatiel's RetryPolicy waits with a plain setTimeout that ignores the signal, so a caller
 * that leaves would keep the call pending for the whole backoff; this is why the wait is ours.
 */
export async function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) throw signal.reason;
  if (ms <= 0) return;
  try {
    await sleep(ms, undefined, { signal });
  } catch (error) {
    throw signal.aborted ? signal.reason : error;
  }
}
