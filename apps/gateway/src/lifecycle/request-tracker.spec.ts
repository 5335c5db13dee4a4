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
  writableFinished = false;
  signal: AbortSignal | undefined;
  /** Closes after its answer was all written (`finished`), or with the client gone. */
  close(finished = true): void {
    this.closed = true;
    this.writableFinished = finished;
    this.emit('close');
  }
}

function tracked(tracker: RequestTracker): FakeResponse {
  const response = new FakeResponse();
  response.signal = tracker.track(response);
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
    tracker.track(response);
    expect(tracker.inFlight).toBe(0);
  });

  it("aborts a call whose response closed before it was all written (the client left), not one that was answered", () => {
    const tracker = new RequestTracker();
    const left = tracked(tracker);
    const answered = tracked(tracker);
    left.close(false);
    answered.close(true);
    expect(left.signal!.aborted).toBe(true);
    expect((left.signal!.reason as DOMException).name).toBe('AbortError');
    expect(answered.signal!.aborted).toBe(false);
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
    const running = [tracked(tracker), tracked(tracker)];
    const finished = tracked(tracker);
    finished.close();
    const reason = new Error('shutting down');
    tracker.abortAll(reason);
    expect(running.map((r) => r.signal!.reason)).toEqual([reason, reason]);
    expect(finished.signal!.aborted).toBe(false);
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
