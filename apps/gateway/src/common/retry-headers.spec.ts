import { HubErrors, upstreamHttpError } from '@llm-connector-hub/core';
import { ResilienceErrors } from '@llm-connector-hub/resilience';
import { GatewayErrors } from './gateway-errors';
import { MAX_CLIENT_RETRY_AFTER_SECONDS, retryHeaders } from './retry-headers';

describe('retryHeaders', () => {
  const once = { attempts: 1 };

  it.each([
    ['an upstream 429 the gateway tried once', upstreamHttpError('p', 429, 'slow down', 2), once, { 'retry-after': '2', 'x-should-retry': 'true' }],
    ['an upstream 429 the gateway retried', upstreamHttpError('p', 429, 'slow down', 2), { attempts: 3 }, { 'retry-after': '2', 'x-should-retry': 'false' }],
    ['an upstream 503 after a fallback', upstreamHttpError('p', 503, 'down'), { attempts: 2 }, { 'x-should-retry': 'false' }],
    ['a 5xx whose retry the budget refused', upstreamHttpError('p', 500, 'boom'), { attempts: 1, retryBudgetExhausted: true }, { 'x-should-retry': 'false' }],
    ['an upstream 400', upstreamHttpError('p', 400, 'bad'), once, { 'x-should-retry': 'false' }],
    ['an upstream 401', upstreamHttpError('p', 401, 'who'), once, { 'x-should-retry': 'false' }],
    ['invalid input (never reached the hub)', HubErrors.invalidRequest('bad'), undefined, { 'x-should-retry': 'false' }],
    ['an unknown model', HubErrors.modelNotFound('gpt-9'), { attempts: 0 }, { 'x-should-retry': 'false' }],
    ['an upstream timeout tried once', HubErrors.upstreamTimeout('p', 1000), once, { 'x-should-retry': 'true' }],
    ['an open breaker (no upstream call)', ResilienceErrors.circuitOpen('p', 'm', 12), { attempts: 0 }, { 'retry-after': '12', 'x-should-retry': 'true' }],
    ['a full bulkhead', ResilienceErrors.bulkheadFull('p'), { attempts: 0 }, { 'retry-after': '1', 'x-should-retry': 'true' }],
    ['a replica shutting down', GatewayErrors.shuttingDown(), undefined, { 'retry-after': '1', 'x-should-retry': 'true' }],
  ])('%s', (_name, error, meta, expected) => {
    expect(retryHeaders(error, meta)).toEqual(expected);
  });

  it('sends Retry-After only on 429 and 503: a 502 that carried one (a provider 503) gets none', () => {
    const fromUpstream503 = upstreamHttpError('p', 503, 'down', 7);
    expect(fromUpstream503.status).toBe(502);
    expect(retryHeaders(fromUpstream503, once)).toEqual({ 'x-should-retry': 'true' });
  });

  it(`caps Retry-After at ${MAX_CLIENT_RETRY_AFTER_SECONDS} s, and says false when the ask was longer`, () => {
    expect(retryHeaders(upstreamHttpError('p', 429, 'quota', 3600), once)).toEqual({ 'retry-after': '60', 'x-should-retry': 'false' });
    expect(retryHeaders(upstreamHttpError('p', 429, 'quota', 60), once)).toEqual({ 'retry-after': '60', 'x-should-retry': 'true' });
    expect(retryHeaders(upstreamHttpError('p', 429, 'quota', 0.2), once)).toEqual({ 'retry-after': '1', 'x-should-retry': 'true' });
  });
});
