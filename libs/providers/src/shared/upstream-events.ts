import type { SseEvent } from '@llm-connector-hub/core';
import { SSE_STREAM_FORMAT, type StreamDecoder } from './stream-format';

/** A stream that sent no complete line for the idle timeout. */
export class StreamIdleError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`No stream event for ${timeoutMs} ms.`);
    this.name = 'StreamIdleError';
  }
}

export interface StreamBody extends AsyncIterable<Uint8Array> {
  destroy(error?: Error): unknown;
}

/** The SSE events of an upstream stream, within the size and idle bounds of decodeUpstream. */
export function upstreamEvents(body: StreamBody, maxEventBytes: number, idleTimeoutMs: number): AsyncGenerator<SseEvent> {
  return decodeUpstream(body, SSE_STREAM_FORMAT.createDecoder(maxEventBytes), idleTimeoutMs);
}

/**
 * The events of an upstream stream, with two bounds: no event larger than the decoder's
 * `maxEventBytes` (its error), and no more than `idleTimeoutMs` without progress (a complete SSE
 * line, a complete binary message) once the first event has arrived (the body is destroyed with
 * StreamIdleError).
 *
 * The idle clock counts whole units, not bytes, so an upstream that drips a byte now and then
 * without ever finishing a line is stopped too; undici's `bodyTimeout` would be reset by each byte.
 * Keep-alive comments (`: keep-alive`, `: OPENROUTER PROCESSING`) are lines: an upstream that says
 * it is still working is believed, up to the request's own timeout. The clock starts at the first
 * event: before it, a reasoning model may think for minutes in silence, which is the first-token
 * timeout's business (libs/resilience). Time spent waiting for our own consumer (a slow client)
 * does not count: the timer only fires while this generator waits for the body.
 */
export async function* decodeUpstream<Event>(body: StreamBody, decoder: StreamDecoder<Event>, idleTimeoutMs: number): AsyncGenerator<Event> {
  let reading = false;
  let started = false;
  let timer: NodeJS.Timeout | undefined;
  const onIdle = () => {
    if (reading) body.destroy(new StreamIdleError(idleTimeoutMs));
    else timer?.refresh(); // our consumer is busy: that is not the upstream's silence
  };
  try {
    reading = true;
    for await (const chunk of body) {
      reading = false;
      const progress = decoder.progress;
      const events = decoder.push(chunk);
      for (const event of events) yield event;
      if (decoder.error) throw decoder.error;
      started ||= events.length > 0;
      // Re-armed after our consumer took the events, so its time is not the upstream's.
      if (started && idleTimeoutMs > 0 && decoder.progress !== progress) {
        if (timer) timer.refresh();
        else timer = setTimeout(onIdle, idleTimeoutMs);
      }
      reading = true;
    }
    reading = false;
    for (const event of decoder.end()) yield event;
  } finally {
    clearTimeout(timer);
  }
}
