import { HubError, toOpenAIErrorBody } from './hub-error';
import { HubErrors, upstreamHttpError } from './hub-errors';

describe('upstreamHttpError', () => {
  it.each([
    [400, 400, 'invalid_request_error', 'upstream_invalid_request'],
    [401, 401, 'authentication_error', 'upstream_authentication_failed'],
    [403, 403, 'permission_error', 'upstream_permission_denied'],
    [404, 404, 'not_found_error', 'upstream_not_found'],
    [408, 504, 'timeout_error', 'upstream_timeout'],
    [409, 409, 'invalid_request_error', 'upstream_conflict'],
    [413, 413, 'invalid_request_error', 'upstream_payload_too_large'],
    [422, 400, 'invalid_request_error', 'upstream_invalid_request'],
    [429, 429, 'rate_limit_error', 'upstream_rate_limited'],
    [402, 402, 'invalid_request_error', 'upstream_client_error'],
    [451, 451, 'invalid_request_error', 'upstream_client_error'],
    [500, 502, 'api_error', 'upstream_error'],
    [502, 502, 'api_error', 'upstream_error'],
    [503, 502, 'api_error', 'upstream_error'],
    [504, 502, 'api_error', 'upstream_error'],
    [529, 502, 'api_error', 'upstream_error'],
  ])('maps upstream HTTP %i to %i (%s, %s)', (upstream, status, type, code) => {
    const error = upstreamHttpError('openai', upstream, 'something went wrong');
    expect(error).toBeInstanceOf(HubError);
    expect({ status: error.status, type: error.type, code: error.code }).toEqual({ status, type, code });
    expect(error.upstreamStatus).toBe(upstream);
    expect(error.provider).toBe('openai');
  });

  it('names the provider, the upstream status and the upstream message', () => {
    const error = upstreamHttpError('azure-eu', 503, 'The engine is currently overloaded');
    expect(error.message).toBe('azure-eu returned HTTP 503: The engine is currently overloaded');
  });

  it('carries the wait the provider asked for', () => {
    expect(upstreamHttpError('openai', 429, 'slow down', 20).retryAfterSeconds).toBe(20);
    expect(upstreamHttpError('openai', 429, 'slow down').retryAfterSeconds).toBeUndefined();
  });
});

describe('HubError.retryable', () => {
  it.each([408, 409, 429, 500, 502, 503, 529])('is true after upstream HTTP %i', (status) => {
    expect(upstreamHttpError('p', status, 'x').retryable).toBe(true);
  });

  it.each([400, 401, 403, 404, 413, 422])('is false after upstream HTTP %i', (status) => {
    expect(upstreamHttpError('p', status, 'x').retryable).toBe(false);
  });

  it('is true for a timeout and for a connection failure', () => {
    expect(HubErrors.upstreamTimeout('p', 30_000).retryable).toBe(true);
    expect(HubErrors.upstreamStalled('p', 30_000, 'headers').retryable).toBe(true);
    expect(HubErrors.upstreamConnection('p', new Error('boom')).retryable).toBe(true);
  });

  it('is false for errors about the request, and for an answer over the size limits', () => {
    expect(HubErrors.invalidRequest('bad').retryable).toBe(false);
    expect(HubErrors.modelNotFound('gpt-9').retryable).toBe(false);
    expect(HubErrors.clientClosed().retryable).toBe(false);
    expect(HubErrors.upstreamResponseTooLarge('p', 1024, 'answer').retryable).toBe(false);
  });
});

describe('toOpenAIErrorBody', () => {
  it("has exactly OpenAI's error fields, with nothing internal leaking", () => {
    const error = upstreamHttpError('openai', 429, 'Rate limit reached', 3);
    const body = JSON.parse(JSON.stringify(toOpenAIErrorBody(error)));
    expect(body).toEqual({
      error: {
        message: 'openai returned HTTP 429: Rate limit reached',
        type: 'rate_limit_error',
        param: null,
        code: 'upstream_rate_limited',
      },
    });
  });

  it('carries the offending parameter when there is one', () => {
    expect(toOpenAIErrorBody(HubErrors.modelNotFound('gpt-9'))).toEqual({
      error: {
        message: expect.stringContaining("The model 'gpt-9' does not exist"),
        type: 'invalid_request_error',
        param: 'model',
        code: 'model_not_found',
      },
    });
    expect(toOpenAIErrorBody(HubErrors.invalidRequest('temperature must be <= 2', 'temperature')).error).toEqual({
      message: 'temperature must be <= 2',
      type: 'invalid_request_error',
      param: 'temperature',
      code: 'invalid_request',
    });
  });
});

describe('HubErrors', () => {
  it.each([
    ['unauthorized', HubErrors.unauthorized(), 401, 'authentication_error', 'invalid_api_key'],
    ['modelNotFound', HubErrors.modelNotFound('m'), 404, 'invalid_request_error', 'model_not_found'],
    ['providerNotFound', HubErrors.providerNotFound('p'), 404, 'invalid_request_error', 'provider_not_found'],
    ['unsupported', HubErrors.unsupported('p', 'embeddings'), 400, 'invalid_request_error', 'unsupported_capability'],
    ['routeNotFound', HubErrors.routeNotFound('GET', '/v2/x'), 404, 'invalid_request_error', 'route_not_found'],
    ['payloadTooLarge', HubErrors.payloadTooLarge(1024), 413, 'invalid_request_error', 'payload_too_large'],
    ['unsupportedMediaType', HubErrors.unsupportedMediaType('text/plain'), 415, 'invalid_request_error', 'unsupported_media_type'],
    ['upstreamTimeout', HubErrors.upstreamTimeout('p', 1000), 504, 'timeout_error', 'upstream_timeout'],
    ['upstreamConnection', HubErrors.upstreamConnection('p', 'x'), 502, 'api_error', 'upstream_connection_error'],
    ['upstreamBadResponse', HubErrors.upstreamBadResponse('p', 'x'), 502, 'api_error', 'upstream_bad_response'],
    ['streamInterrupted', HubErrors.streamInterrupted('p', 'x'), 502, 'api_error', 'upstream_stream_interrupted'],
    ['clientClosed', HubErrors.clientClosed(), 499, 'invalid_request_error', 'client_closed_request'],
  ])('%s has status %i', (_name, error, status, type, code) => {
    expect({ status: error.status, type: error.type, code: error.code }).toEqual({ status, type, code });
  });

  it('tells the client which content type was wrong, if any', () => {
    expect(HubErrors.unsupportedMediaType('text/plain').message).toBe("Content-Type must be application/json, got 'text/plain'.");
    expect(HubErrors.unsupportedMediaType(undefined).message).toBe('Content-Type must be application/json.');
  });

  it('names the system error code of a connection failure and keeps the cause', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const error = HubErrors.upstreamConnection('vllm', cause);
    expect(error.message).toBe("Could not reach the provider 'vllm' (ECONNREFUSED).");
    expect(error.cause).toBe(cause);
    expect(error.provider).toBe('vllm');
    expect(HubErrors.upstreamConnection('vllm', new Error('socket hang up')).message).toContain('(socket hang up)');
    expect(HubErrors.upstreamConnection('vllm', 'weird').message).toContain('(weird)');
  });

  it('names the timeout in milliseconds', () => {
    expect(HubErrors.upstreamTimeout('openai', 30_000).message).toBe("The provider 'openai' did not answer within 30000 ms.");
  });
});
