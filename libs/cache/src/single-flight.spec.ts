import { SingleFlight } from './single-flight';

describe('SingleFlight', () => {
  it('lets callers join a flight and gives them its value; the key is free again once it settles', async () => {
    const flights = new SingleFlight<string>();
    expect(flights.join('k')).toBeUndefined();
    const flight = flights.begin('k');
    const joined = [flights.join('k')!, flights.join('k')!];
    expect(joined[0]).toBe(flight.promise);
    expect(flights.join('other')).toBeUndefined();
    flight.resolve('answer');
    expect(flights.join('k')).toBeUndefined();
    expect(flights.size).toBe(0);
    await expect(Promise.all(joined)).resolves.toEqual(['answer', 'answer']);
  });

  it("passes the leader's error to those who joined", async () => {
    const flights = new SingleFlight<string>();
    const flight = flights.begin('k');
    const joined = flights.join('k');
    flight.reject(new Error('upstream down'));
    await expect(joined).rejects.toThrow('upstream down');
    expect(flights.size).toBe(0);
  });

  it('a rejected flight nobody joined is not an unhandled rejection', async () => {
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      new SingleFlight<string>().begin('k').reject(new Error('nobody listens'));
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('a settled flight never removes a newer flight for the same key', async () => {
    const flights = new SingleFlight<string>();
    const older = flights.begin('k');
    const newer = flights.begin('k');
    older.resolve('old');
    expect(flights.join('k')).toBe(newer.promise);
    newer.resolve('new');
    expect(flights.join('k')).toBeUndefined();
  });

  it('with `until`, stays joinable (already answered) until that settles', async () => {
    const flights = new SingleFlight<string>();
    const flight = flights.begin('k');
    let stored!: () => void;
    const storing = new Promise<void>((resolve) => (stored = resolve));
    flight.resolve('answer', storing);
    const late = flights.join('k');
    expect(late).toBe(flight.promise);
    await expect(late).resolves.toBe('answer');
    stored();
    await storing;
    await Promise.resolve();
    expect(flights.join('k')).toBeUndefined();
  });

  it('with `until` that rejects, the key is still freed', async () => {
    const flights = new SingleFlight<string>();
    const flight = flights.begin('k');
    const storing = Promise.reject(new Error('store failed'));
    flight.resolve('answer', storing);
    await storing.catch(() => undefined);
    await Promise.resolve();
    expect(flights.size).toBe(0);
  });
});
