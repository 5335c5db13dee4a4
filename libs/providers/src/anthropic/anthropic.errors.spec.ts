import { anthropicErrorMessage, anthropicStreamError } from './anthropic.errors';
import { fixtureJson } from './fixtures/load-fixture';

describe('anthropicErrorMessage', () => {
  it('reads the message out of an Anthropic error body', () => {
    expect(anthropicErrorMessage(fixtureJson('error-overloaded.json'))).toBe('Overloaded');
    expect(anthropicErrorMessage(fixtureJson('error-invalid-request.json'))).toBe(
      'messages.1.content.0.tool_use.input: Input should be a valid dictionary',
    );
  });

  it('falls back to the error type, or gives up on bodies that are not Anthropic errors', () => {
    expect(anthropicErrorMessage({ type: 'error', error: { type: 'api_error', message: '' } })).toBe('api_error');
    expect(anthropicErrorMessage({ message: 'Bad gateway' })).toBe('Bad gateway');
    expect(anthropicErrorMessage('<html>413 Request Entity Too Large</html>')).toBeUndefined();
    expect(anthropicErrorMessage(null)).toBeUndefined();
  });
});

describe('anthropicStreamError', () => {
  it.each([
    ['invalid_request_error', 400, 400, false],
    ['authentication_error', 401, 401, false],
    ['permission_error', 403, 403, false],
    ['not_found_error', 404, 404, false],
    ['request_too_large', 413, 413, false],
    ['rate_limit_error', 429, 429, true],
    ['api_error', 500, 502, true],
    ['overloaded_error', 529, 502, true],
    ['some_future_error', 500, 502, true],
  ] as const)('maps %s to upstream HTTP %i (client sees %i, retryable: %s)', (type, upstreamStatus, status, retryable) => {
    const error = anthropicStreamError('anthropic', { type: 'error', error: { type, message: `details of ${type}` } });
    expect(error.upstreamStatus).toBe(upstreamStatus);
    expect(error.status).toBe(status);
    expect(error.retryable).toBe(retryable);
    expect(error.provider).toBe('anthropic');
    expect(error.message).toBe(`anthropic returned HTTP ${upstreamStatus}: details of ${type}`);
  });
});
