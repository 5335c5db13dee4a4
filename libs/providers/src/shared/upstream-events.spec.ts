/**
 * upstreamEvents over a Node stream (the same async-iterable, destroyable shape as undici's body).
 * The timers are real and short; the tests check what happens, never how long it took.
 */
import { PassThrough } from 'node:stream';
import { SseEventTooLargeError, type SseEvent } from '@llm-connector-hub/core';
import { StreamIdleError, upstreamEvents } from './upstream-events';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function collect(events: AsyncIterable<SseEvent>): Promise<string[]> {
  const data: string[] = [];
  for await (const event of events) data.push(event.data);
  return data;
}

describe('upstreamEvents', () => {
  it("waits as long as it takes for the first event (that wait is the first-token timeout's job)", async () => {
    const body = new PassThrough();
    const reading = collect(upstreamEvents(body, 1024, 50));
    await sleep(200); // four idle periods of silence before anything
    body.end('data: first\n\ndata: second\n\n');
    await expect(reading).resolves.toEqual(['first', 'second']);
  });

  it('stops a stream that sends no complete line for the idle timeout after its first event, even while bytes drip in', async () => {
    const body = new PassThrough();
    const seen: string[] = [];
    const reading = (async () => {
      for await (const event of upstreamEvents(body, 1024, 100)) seen.push(event.data);
    })();
    body.write('data: first\n\n');
    const drip = setInterval(() => body.write('x'), 10);
    try {
      await expect(reading).rejects.toEqual(new StreamIdleError(100));
    } finally {
      clearInterval(drip);
    }
    expect(seen).toEqual(['first']);
    expect(body.destroyed).toBe(true);
  });

  it('takes keep-alive comments between events as signs of life', async () => {
    const body = new PassThrough();
    const reading = collect(upstreamEvents(body, 1024, 100));
    body.write('data: first\n\n');
    for (let i = 0; i < 6; i++) {
      await sleep(40);
      body.write(': keep-alive\n');
    }
    body.end('data: second\n\n');
    await expect(reading).resolves.toEqual(['first', 'second']);
  });

  it('does not count the time its own consumer takes', async () => {
    const body = new PassThrough();
    body.end('data: 1\n\ndata: 2\n\n');
    const data: string[] = [];
    for await (const event of upstreamEvents(body, 1024, 30)) {
      data.push(event.data);
      await sleep(150); // a slow client, five idle periods per event
    }
    expect(data).toEqual(['1', '2']);
  });

  it('turns off with an idle timeout of 0', async () => {
    const body = new PassThrough();
    const reading = collect(upstreamEvents(body, 1024, 0));
    body.write('data: 1\n\n');
    await sleep(100);
    body.end('data: 2\n\n');
    await expect(reading).resolves.toEqual(['1', '2']);
  });

  it('stops at an event larger than the limit', async () => {
    const body = new PassThrough();
    body.end(`data: ${'x'.repeat(2000)}\n\n`);
    await expect(collect(upstreamEvents(body, 1024, 0))).rejects.toBeInstanceOf(SseEventTooLargeError);
  });
});
