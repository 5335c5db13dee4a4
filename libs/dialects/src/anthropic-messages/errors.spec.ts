import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CATALOGUE, HubErrors, hubError, upstreamHttpError, type ErrorCode } from '@llm-connector-hub/core';
import { anthropicErrorType, toAnthropicErrorBody } from './errors';

const ANTHROPIC_TYPES = ['invalid_request_error', 'authentication_error', 'permission_error', 'not_found_error', 'rate_limit_error', 'api_error', 'overloaded_error'];

/** A value for every parameter any catalogue message is written from. */
const EVERY_PARAM = { provider: 'p', model: 'm', detail: 'd', method: 'POST', url: '/x', upstreamStatus: 500, timeoutMs: 1, limitBytes: 1, contentType: 'x', problem: 'x', capability: 'x', reason: 'x', what: 'answer', id: 'resp_x' };

describe("errors in Anthropic's shape", () => {
  it("has the recorded error body's shape", () => {
    const recorded = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'error-invalid-request.json'), 'utf8')) as Record<string, unknown>;
    const ours = toAnthropicErrorBody(HubErrors.invalidRequest("Invalid 'max_tokens': required."), 'req-1');
    expect(Object.keys(ours).sort()).toEqual(Object.keys(recorded).sort());
    expect(ours).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: "Invalid 'max_tokens': required." }, request_id: 'req-1' });
  });

  it('gives every code of the catalogue one of the types Anthropic clients know', () => {
    for (const code of Object.keys(ERROR_CATALOGUE) as ErrorCode[]) {
      const error = hubError(code, EVERY_PARAM as never);
      expect(ANTHROPIC_TYPES).toContain(anthropicErrorType(error));
    }
  });

  it.each([
    [HubErrors.unauthorized(), 'authentication_error'],
    [HubErrors.modelNotFound('claude-x'), 'not_found_error'],
    [HubErrors.routeNotFound('POST', '/v1/x'), 'not_found_error'],
    [hubError('gateway_overloaded', { provider: 'p' }), 'rate_limit_error'],
    [hubError('upstream_quota_exceeded', { provider: 'p', upstreamStatus: 429, detail: 'spent' }), 'rate_limit_error'],
    [HubErrors.upstreamTimeout('p', 1000), 'api_error'],
    [hubError('shutting_down'), 'api_error'],
  ])('%s → %s', (error, type) => expect(anthropicErrorType(error)).toBe(type));

  it("says overloaded_error for an upstream's 529, keeping the catalogue's status", () => {
    const error = upstreamHttpError('anthropic', 529, 'Overloaded');
    expect(anthropicErrorType(error)).toBe('overloaded_error');
    expect(error.status).toBe(502);
  });
});
