import { ERROR_CATALOGUE, errorDefinition, isErrorCode, type ErrorCode } from './error-catalogue';
import { hubError } from './catalogue-error';
import { HubError } from './hub-error';
import { HubErrors, upstreamHttpError } from './hub-errors';

describe('the error catalogue', () => {
  it('is what every factory builds from: status, type, retryable and breaker all come from the code', () => {
    const built = [
      HubErrors.invalidRequest('x'),
      HubErrors.invalidRequest('x', 'messages', 'invalid_value'),
      HubErrors.unauthorized(),
      HubErrors.modelNotFound('m'),
      HubErrors.unsupported('p', 'embeddings'),
      HubErrors.upstreamTimeout('p', 1),
      HubErrors.upstreamConnection('p', 'x'),
      HubErrors.upstreamBadResponse('p', 'x'),
      HubErrors.streamInterrupted('p', 'x'),
      HubErrors.upstreamResponseTooLarge('p', 1, 'event'),
      HubErrors.clientClosed(),
      ...[400, 401, 403, 404, 408, 409, 413, 422, 429, 500, 503].map((status) => upstreamHttpError('p', status, 'x')),
      upstreamHttpError('p', 429, 'x', undefined, 'quota_exceeded'),
    ];
    for (const error of built) {
      const definition = errorDefinition(error.code);
      expect(definition).toBeDefined();
      expect({ code: error.code, status: error.status, type: error.type, retryable: error.retryable, breaker: error.countsAgainstBreaker }).toEqual({
        code: error.code,
        status: definition!.status,
        type: definition!.type,
        retryable: definition!.retryable,
        breaker: definition!.countsAgainstBreaker,
      });
    }
  });

  it("keeps the upstream's own status for the codes whose status is '4xx'", () => {
    expect(upstreamHttpError('p', 402, 'pay').status).toBe(402);
    expect(upstreamHttpError('p', 451, 'legal').status).toBe(451);
    expect(hubError('request_refused', { detail: 'no' }, { status: 403 }).status).toBe(403);
    expect(hubError('request_refused', { detail: 'no' }).status).toBe(400);
  });

  it('writes each message from its parameters', () => {
    expect(hubError('circuit_open', { provider: 'openai', model: 'gpt-4o' }).message).toBe(
      'The circuit breaker for openai/gpt-4o is open after repeated upstream failures; retry later.',
    );
    expect(hubError('invalid_url').message).toBe('The request URL is not valid (malformed percent-encoding).');
    expect(hubError('route_not_found', { only: 'GET /metrics' }).message).toBe('This port serves GET /metrics only.');
    expect(upstreamHttpError('p', 408, 'slow').message).toBe('p returned HTTP 408: slow');
  });

  it('only counts against the breaker what it would also retry: a failure no retry can help is no outage', () => {
    for (const code of Object.keys(ERROR_CATALOGUE) as ErrorCode[]) {
      const { retryable, countsAgainstBreaker } = ERROR_CATALOGUE[code];
      if (countsAgainstBreaker) expect({ code, retryable }).toEqual({ code, retryable: true });
    }
  });

  it('knows its codes, and no others', () => {
    expect(isErrorCode('upstream_rate_limited')).toBe(true);
    expect(isErrorCode('toString')).toBe(false);
    expect(errorDefinition('my_own_code')).toBeUndefined();
  });
});

describe('what changed when "retryable" got one definition', () => {
  it('a 429 for a spent quota is neither retried nor an outage (it was retried like a rate limit)', () => {
    const quota = upstreamHttpError('openai', 429, 'You exceeded your current quota', undefined, 'quota_exceeded');
    expect({ status: quota.status, type: quota.type, code: quota.code }).toEqual({ status: 429, type: 'insufficient_quota', code: 'upstream_quota_exceeded' });
    expect(quota.retryable).toBe(false);
    expect(quota.countsAgainstBreaker).toBe(false);
    // Another target is another account or provider, with a quota of its own: fallback still tries it.
    expect(quota.canFallBack).toBe(true);
    // A rate limit stays what it was: retried after its wait, not an outage.
    const rateLimit = upstreamHttpError('openai', 429, 'Rate limit reached');
    expect({ code: rateLimit.code, retryable: rateLimit.retryable, breaker: rateLimit.countsAgainstBreaker }).toEqual({
      code: 'upstream_rate_limited',
      retryable: true,
      breaker: false,
    });
  });

  it('an unreadable answer and a cut stream are retryable on HubError too (retry and fallback already retried them)', () => {
    expect(HubErrors.upstreamBadResponse('p', 'not JSON').retryable).toBe(true);
    expect(HubErrors.streamInterrupted('p', 'cut').retryable).toBe(true);
  });

  it('reads the verdict from the code, not from the upstream status', () => {
    const own = (code: string, status: number) => new HubError({ status, type: 'api_error', code, message: 'm', upstreamStatus: 503 });
    expect(own('my_own_code', 502).retryable).toBe(false);
    expect(own('my_own_code', 502).countsAgainstBreaker).toBe(true);
    expect(own('my_own_code', 400).countsAgainstBreaker).toBe(false);
  });
});
