import { HubError, isHubError } from './hub-error';

describe('HubError', () => {
  it('is an Error with a stable name, status, type and code', () => {
    const error = new HubError({ status: 400, type: 'invalid_request_error', code: 'bad', message: 'Bad thing' });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('HubError');
    expect(error.message).toBe('Bad thing');
    expect(error.param).toBeNull();
    expect(error.stack).toContain('Bad thing');
    expect(String(error)).toBe('HubError: Bad thing');
  });

  it('keeps the cause only when given', () => {
    const cause = new Error('root');
    expect(new HubError({ status: 502, type: 'api_error', code: 'x', message: 'm', cause }).cause).toBe(cause);
    expect('cause' in new HubError({ status: 502, type: 'api_error', code: 'x', message: 'm' })).toBe(false);
  });

  it('is recognised by isHubError, and plain errors are not', () => {
    expect(isHubError(new HubError({ status: 500, type: 'api_error', code: 'x', message: 'm' }))).toBe(true);
    expect(isHubError(new Error('m'))).toBe(false);
    expect(isHubError({ status: 500, code: 'x', message: 'm' })).toBe(false);
    expect(isHubError(undefined)).toBe(false);
  });
});
