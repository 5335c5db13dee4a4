import { HubErrors, upstreamHttpError } from '@llm-connector-hub/core';
import type { ResilienceSettings } from './resilience-options';
import { RetryMiddleware } from './retry.middleware';
import { ResilienceErrors, countsAgainstBreaker, isFallbackFailure, isRetryableFailure } from './resilience-errors';
import { ask, hubErrorOf, hubWith, ScriptedProvider } from './retry.spec-helpers';

const quota = () => upstreamHttpError('p', 429, 'You exceeded your current quota', 1, 'quota_exceeded');

describe('the resilience verdicts read the error catalogue', () => {
  it.each([
    ['a rate limit', upstreamHttpError('p', 429, 'slow down'), true, false],
    ['an upstream 503', upstreamHttpError('p', 503, 'down'), true, true],
    ['an upstream 400', upstreamHttpError('p', 400, 'bad'), false, false],
    ['an unreadable answer', HubErrors.upstreamBadResponse('p', 'not JSON'), true, true],
    ['a cut stream', HubErrors.streamInterrupted('p', 'cut'), true, true],
    ['an answer over the size limits', HubErrors.upstreamResponseTooLarge('p', 1, 'answer'), false, false],
    ['an open breaker', ResilienceErrors.circuitOpen('p', 'm', 1), true, false],
    ['a full bulkhead', ResilienceErrors.bulkheadFull('p'), true, false],
    ['a first-token timeout', ResilienceErrors.firstTokenTimeout('p', 1), true, true],
    ['a client that left', HubErrors.clientClosed(), false, false],
  ])('%s: retried %s, counted by the breaker %s', (_what, error, retried, counted) => {
    expect(isRetryableFailure(error)).toBe(retried);
    expect(countsAgainstBreaker(error)).toBe(counted);
  });

  it('a spent quota is not retried and not counted, but another target (its own account) is tried', () => {
    expect(isRetryableFailure(quota())).toBe(false);
    expect(countsAgainstBreaker(quota())).toBe(false);
    expect(isFallbackFailure(quota())).toBe(true);
  });

  it('falls back on what it retries, and on nothing it does not, but a spent quota', () => {
    for (const error of [upstreamHttpError('p', 503, 'x'), upstreamHttpError('p', 400, 'x'), HubErrors.upstreamResponseTooLarge('p', 1, 'answer'), new Error('bug')]) {
      expect(isFallbackFailure(error)).toBe(isRetryableFailure(error));
    }
  });

  it('a bug (not a HubError) is not retried but counts against the breaker', () => {
    expect(isRetryableFailure(new TypeError('x'))).toBe(false);
    expect(countsAgainstBreaker(new TypeError('x'))).toBe(true);
  });

  it('makes one attempt for a spent quota, where it made three', async () => {
    const settings: ResilienceSettings = { defaults: { retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 } } };
    const provider = new ScriptedProvider('p');
    const { hub, seen } = hubWith({ p: provider }, (events) => [RetryMiddleware.fromSettings(settings, events)]);
    provider.script = () => ({ fail: quota() });

    const error = await hubErrorOf(hub.complete(ask()));

    expect(error.code).toBe('upstream_quota_exceeded');
    expect(provider.calls).toHaveLength(1);
    expect(seen.filter((event) => event.type === 'retry')).toEqual([]);
  });
});
