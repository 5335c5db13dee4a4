import { HubError, HubErrors } from '@llm-connector-hub/core';
import { Deadline } from './deadline';

describe('Deadline', () => {
  afterEach(() => jest.useRealTimers());

  it('aborts its signal with a TimeoutError when the time passes, translated to a 504 upstream_timeout', async () => {
    const deadline = new Deadline(20);
    expect(deadline.signal.aborted).toBe(false);
    await new Promise((resolve) => deadline.signal.addEventListener('abort', resolve, { once: true }));
    expect(deadline.signal.aborted).toBe(true);
    const reason = deadline.signal.reason as DOMException;
    expect(reason.name).toBe('TimeoutError');
    const error = deadline.translate(reason, 'openai') as HubError;
    expect(error).toBeInstanceOf(HubError);
    expect(error).toMatchObject({ status: 504, type: 'timeout_error', code: 'upstream_timeout', provider: 'openai' });
    expect(error.message).toContain('20 ms');
    deadline.dispose();
  });

  it("aborts with the caller's reason when the caller aborts, translated to client_closed_request", () => {
    const caller = new AbortController();
    const deadline = new Deadline(60_000, caller.signal);
    caller.abort();
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.signal.reason).toBe(caller.signal.reason);
    expect(deadline.translate(deadline.signal.reason, 'openai')).toMatchObject({ status: 499, code: 'client_closed_request' });
    deadline.dispose();
  });

  it('keeps a HubError the caller aborted with (the gateway does on shutdown)', () => {
    const caller = new AbortController();
    const deadline = new Deadline(60_000, caller.signal);
    const shutdown = new HubError({ status: 503, type: 'api_error', code: 'shutting_down', message: 'bye' });
    caller.abort(shutdown);
    expect(deadline.translate(deadline.signal.reason, 'openai')).toBe(shutdown);
    deadline.dispose();
  });

  it('is aborted from the start when the caller already was', () => {
    const caller = new AbortController();
    caller.abort();
    const deadline = new Deadline(60_000, caller.signal);
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.translate(deadline.signal.reason, 'p')).toMatchObject({ code: 'client_closed_request' });
    deadline.dispose();
  });

  it('passes any other error through unchanged, aborted or not', () => {
    const caller = new AbortController();
    const deadline = new Deadline(60_000, caller.signal);
    const upstream = HubErrors.upstreamConnection('p', new Error('ECONNRESET'));
    expect(deadline.translate(upstream, 'p')).toBe(upstream);
    caller.abort();
    expect(deadline.translate(upstream, 'p')).toBe(upstream);
    deadline.dispose();
  });

  it('leaves no timer behind once disposed, and ignores the timeout and the caller afterwards', () => {
    jest.useFakeTimers();
    const caller = new AbortController();
    const deadline = new Deadline(1_000, caller.signal);
    expect(jest.getTimerCount()).toBe(1);
    deadline.dispose();
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(5_000);
    caller.abort();
    expect(deadline.signal.aborted).toBe(false);
  });

  it('clears its timer when the caller aborts first, so a later tick does not turn it into a timeout', () => {
    jest.useFakeTimers();
    const caller = new AbortController();
    const deadline = new Deadline(1_000, caller.signal);
    caller.abort();
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(5_000);
    expect(deadline.translate(deadline.signal.reason, 'p')).toMatchObject({ code: 'client_closed_request' });
    deadline.dispose();
  });
});
