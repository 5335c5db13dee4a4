import { RequestTracker } from './request-tracker';

const settled = async (promise: Promise<unknown>): Promise<boolean> => {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
};

describe('RequestTracker', () => {
  it('counts the requests in flight', () => {
    const tracker = new RequestTracker();
    expect(tracker.inFlight).toBe(0);
    expect(tracker.draining).toBe(false);
    const releaseA = tracker.track(new AbortController());
    const releaseB = tracker.track(new AbortController());
    expect(tracker.inFlight).toBe(2);
    releaseA();
    expect(tracker.inFlight).toBe(1);
    releaseA();
    expect(tracker.inFlight).toBe(1);
    releaseB();
    expect(tracker.inFlight).toBe(0);
  });

  it('is idle at once when nothing is in flight', async () => {
    expect(await settled(new RequestTracker().whenIdle())).toBe(true);
  });

  it('becomes idle only when the last request has finished, waking every waiter', async () => {
    const tracker = new RequestTracker();
    const releaseA = tracker.track(new AbortController());
    const releaseB = tracker.track(new AbortController());
    const first = tracker.whenIdle();
    const second = tracker.whenIdle();
    releaseA();
    expect(await settled(first)).toBe(false);
    const releaseC = tracker.track(new AbortController());
    releaseB();
    expect(await settled(first)).toBe(false);
    releaseC();
    expect(await settled(first)).toBe(true);
    expect(await settled(second)).toBe(true);
  });

  it('aborts every request in flight with the reason given, and only those', () => {
    const tracker = new RequestTracker();
    const running = [new AbortController(), new AbortController()];
    const finished = new AbortController();
    for (const controller of running) tracker.track(controller);
    tracker.track(finished)();
    const reason = new Error('shutting down');
    tracker.abortAll(reason);
    expect(running.map((c) => c.signal.reason)).toEqual([reason, reason]);
    expect(finished.signal.aborted).toBe(false);
  });

  it('still waits for aborted requests to finish before it is idle', async () => {
    const tracker = new RequestTracker();
    const release = tracker.track(new AbortController());
    tracker.abortAll(new Error('bye'));
    const idle = tracker.whenIdle();
    expect(await settled(idle)).toBe(false);
    release();
    expect(await settled(idle)).toBe(true);
  });
});
