import { MAX_ECHO_LENGTH, echo } from './echo';
import { HubErrors } from './hub-errors';

describe('echo', () => {
  it('keeps short input as it is', () => {
    expect(echo('gpt-4o')).toBe('gpt-4o');
    expect(echo('x'.repeat(MAX_ECHO_LENGTH))).toBe('x'.repeat(MAX_ECHO_LENGTH));
  });

  it('cuts long input to an excerpt that says how long it was', () => {
    const out = echo('y'.repeat(1024 * 1024));
    expect(out.length).toBeLessThan(MAX_ECHO_LENGTH + 40);
    expect(out).toContain('(1048576 characters)');
  });

  it('is what the errors that quote input use', () => {
    expect(HubErrors.modelNotFound('m'.repeat(100_000)).message.length).toBeLessThan(400);
    expect(HubErrors.providerNotFound('p'.repeat(100_000)).message.length).toBeLessThan(400);
    expect(HubErrors.routeNotFound('POST', `/${'r'.repeat(100_000)}`).message.length).toBeLessThan(400);
  });
});
