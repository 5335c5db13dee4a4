import { googleErrorMessage, googleErrorStatus } from './google.errors';
import { fixtureJson } from './google.spec-helpers';

describe('googleErrorMessage', () => {
  it('reads message and status from the usual error object', () => {
    expect(googleErrorMessage(fixtureJson('error-rate-limited.json'))).toBe(
      'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits. (RESOURCE_EXHAUSTED)',
    );
  });

  it('reads the first error of an array body', () => {
    expect(googleErrorMessage(fixtureJson('error-array.json'))).toBe('API key not valid. Please pass a valid API key. (INVALID_ARGUMENT)');
  });

  it('copes with partial and foreign bodies', () => {
    expect(googleErrorMessage({ error: { code: 500, message: 'Internal error encountered.' } })).toBe('Internal error encountered.');
    expect(googleErrorMessage({ error: { code: 503, status: 'UNAVAILABLE' } })).toBe('UNAVAILABLE');
    expect(googleErrorMessage({ error: 'plain text' })).toBe('plain text');
    expect(googleErrorMessage({ message: 'not google' })).toBeUndefined();
    expect(googleErrorMessage([])).toBeUndefined();
    expect(googleErrorMessage(null)).toBeUndefined();
    expect(googleErrorMessage('oops')).toBeUndefined();
  });
});

describe('googleErrorStatus', () => {
  it('returns error.code when it is an HTTP error status', () => {
    expect(googleErrorStatus(fixtureJson('error-rate-limited.json'))).toBe(429);
    expect(googleErrorStatus(fixtureJson('error-array.json'))).toBe(400);
    expect(googleErrorStatus({ error: { code: 13 } })).toBeUndefined();
    expect(googleErrorStatus({ error: {} })).toBeUndefined();
    expect(googleErrorStatus(null)).toBeUndefined();
  });
});
