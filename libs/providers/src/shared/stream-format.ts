import { SseParser, type SseEvent } from '@llm-connector-hub/core';

/**
 * Turns a stream body's bytes into events as they arrive. `push` returns the events a chunk
 * completed; a malformed or oversized event is reported in `error` (after the events before it
 * were returned), or thrown.
 */
export interface StreamDecoder<Event> {
  push(chunk: Uint8Array): Event[];
  /** The events left when the body ends; throws when it ended inside an event. */
  end(): Event[];
  /** Set when the body can no longer be decoded; the stream stops with it. */
  readonly error?: Error;
  /**
   * Counts the units of progress seen so far (SSE: lines, keep-alive comments included; binary
   * framing: messages). The idle clock restarts whenever it moves.
   */
  readonly progress: number;
}

/** How a provider's stream is framed: what its request asks for, and how its body is decoded. */
export interface StreamFormat<Event> {
  /** The `accept` header of a stream request. */
  readonly accept: string;
  /** A decoder for one stream, with no event larger than `maxEventBytes`. */
  createDecoder(maxEventBytes: number): StreamDecoder<Event>;
}

/** Server-sent events, the format of every provider but Bedrock: the default. */
export const SSE_STREAM_FORMAT: StreamFormat<SseEvent> = {
  accept: 'text/event-stream',
  createDecoder: (maxEventBytes) => {
    const parser = new SseParser({ maxEventBytes });
    return {
      push: (chunk) => parser.push(chunk),
      end: () => parser.end(),
      get error() {
        return parser.error;
      },
      get progress() {
        return parser.lines;
      },
    };
  },
};
