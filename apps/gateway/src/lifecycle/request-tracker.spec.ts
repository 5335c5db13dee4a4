import { EventEmitter } from 'node:events';
import { RequestTracker, type ClosingResponse } from './request-tracker';

const settled = async (promise: Promise<unknown>): Promise<boolean> => {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
};

/** A response that closes when told to, as node:http's does once its last byte is out or its socket is gone. */
class FakeResponse extends EventEmitter implements ClosingResponse {
  closed = false;
  close(): void {
    this.closed = true;
    this.emit('close');
  }
}

function tracked(tracker: RequestTracker, controller = new AbortController()): FakeResponse {
  const response = new FakeResponse();
  tracker.track(controller, response);
  return response;
}

describe('RequestTracker', () => {
  it('counts a request until its response closes', () => {
    const tracker = new RequestTracker();
    expect(tracker.inFlight).toBe(0);
    expect(tracker.draining).toBe(false);
    const a = tracked(tracker);
    const b = tracked(tracker);
    expect(tracker.inFlight).toBe(2);
    a.close();
    expect(tracker.inFlight).toBe(1);
    a.emit('close');
    expect(tracker.inFlight).toBe(1);
    b.close();
    expect(tracker.inFlight).toBe(0);
  });

  it('does not count a request whose response is already closed', () => {
    const tracker = new RequestTracker();
    const response = new FakeResponse();
    response.close();
    tracker.track(new AbortController(), response);
    expect(tracker.inFlight).toBe(0);
  });

  it('is idle at once when nothing is in flight', async () => {
    expect(await settled(new RequestTracker().whenIdle())).toBe(true);
  });

  it('becomes idle only when the last response has closed, waking every waiter', async () => {
    const tracker = new RequestTracker();
    const a = tracked(tracker);
    const b = tracked(tracker);
    const first = tracker.whenIdle();
    const second = tracker.whenIdle();
    a.close();
    expect(await settled(first)).toBe(false);
    const c = tracked(tracker);
    b.close();
    expect(await settled(first)).toBe(false);
    c.close();
    expect(await settled(first)).toBe(true);
    expect(await settled(second)).toBe(true);
  });

  it('aborts every request in flight with the reason given, and only those', () => {
    const tracker = new RequestTracker();
    const running = [new AbortController(), new AbortController()];
    const finished = new AbortController();
    for (const controller of running) tracked(tracker, controller);
    tracked(tracker, finished).close();
    const reason = new Error('shutting down');
    tracker.abortAll(reason);
    expect(running.map((c) => c.signal.reason)).toEqual([reason, reason]);
    expect(finished.signal.aborted).toBe(false);
  });

  it('still waits for an aborted request until its answer is out', async () => {
    const tracker = new RequestTracker();
    const response = tracked(tracker);
    tracker.abortAll(new Error('bye'));
    const idle = tracker.whenIdle();
    expect(await settled(idle)).toBe(false);
    response.close();
    expect(await settled(idle)).toBe(true);
  });
});
