import { SseEventTooLargeError } from '@llm-connector-hub/core';
import { EventStreamCodec, type Message } from '@smithy/core/event-streams';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import type { StreamDecoder, StreamFormat } from '../shared';
import type { BedrockStreamEvent } from './bedrock.wire';

/** Total length (4 bytes), headers length (4), prelude CRC (4); the message CRC (4) ends a message. */
const PRELUDE_BYTES = 12;
const FRAME_OVERHEAD_BYTES = PRELUDE_BYTES + 4;

/**
 * ConverseStream's framing, the AWS event stream (`application/vnd.amazon.eventstream`): binary
 * messages, each a length-prefixed prelude, typed headers, a payload and CRCs.
 */
export const BEDROCK_EVENT_STREAM_FORMAT: StreamFormat<BedrockStreamEvent> = {
  accept: 'application/vnd.amazon.eventstream',
  createDecoder: (maxEventBytes) => new EventStreamDecoder(maxEventBytes),
};

/**
 * Smithy's EventStreamCodec decodes each message (headers, payload, both CRCs checked). Cutting the
 * byte stream into messages is done here, not with Smithy's getChunkedStream: that one allocates
 * whatever length a message's prelude announces, where this refuses a message larger than
 * `maxEventBytes` before reading it, the bound SSE streams have too.
 */
class EventStreamDecoder implements StreamDecoder<BedrockStreamEvent> {
  progress = 0;
  private readonly codec = new EventStreamCodec(toUtf8, fromUtf8);
  /** Bytes received and not yet decoded, in arrival order; copied once, when a message is whole. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxEventBytes: number) {}

  push(chunk: Uint8Array): BedrockStreamEvent[] {
    this.pending.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    this.pendingBytes += chunk.byteLength;
    const events: BedrockStreamEvent[] = [];
    for (let length = this.nextLength(); length !== undefined && this.pendingBytes >= length; length = this.nextLength()) {
      const bytes = Buffer.concat(this.pending, this.pendingBytes);
      this.pending = bytes.length > length ? [bytes.subarray(length)] : [];
      this.pendingBytes -= length;
      events.push(toEvent(this.codec.decode(bytes.subarray(0, length))));
      this.progress++;
    }
    return events;
  }

  end(): BedrockStreamEvent[] {
    // A cut message is dropped: the translator then sees a stream without its end and says so.
    this.pending = [];
    this.pendingBytes = 0;
    return [];
  }

  /** The length of the next message once its first 4 bytes are in; throws for one over the bound. */
  private nextLength(): number | undefined {
    if (this.pendingBytes < 4) return undefined;
    const head = this.pending[0].length >= 4 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    const length = head.readUInt32BE(0);
    if (length > this.maxEventBytes + FRAME_OVERHEAD_BYTES) throw new SseEventTooLargeError(this.maxEventBytes);
    // Shorter than an empty message: not this framing (the codec would fail on it anyway).
    if (length < FRAME_OVERHEAD_BYTES) throw new Error(`An event stream message announces ${length} bytes.`);
    return length;
  }
}

function toEvent(message: Message): BedrockStreamEvent {
  const header = (name: string) => {
    const value = message.headers[name]?.value;
    return typeof value === 'string' ? value : undefined;
  };
  const messageType = header(':message-type') ?? 'event';
  const type = header(messageType === 'exception' ? ':exception-type' : messageType === 'error' ? ':error-code' : ':event-type') ?? '';
  let body: unknown;
  if (message.body.length > 0) {
    try {
      body = JSON.parse(toUtf8(message.body));
    } catch {
      body = undefined;
    }
  }
  const errorMessage = header(':error-message');
  return { messageType, type, body, ...(errorMessage !== undefined && { errorMessage }) };
}

/**
 * One event stream message with a JSON payload, as Bedrock sends it: the inverse of the decoder,
 * for the fake provider and the specs, which must speak the same framing.
 */
export function encodeBedrockEvent(messageType: 'event' | 'exception', type: string, payload: unknown): Uint8Array {
  const string = (value: string) => ({ type: 'string' as const, value });
  return new EventStreamCodec(toUtf8, fromUtf8).encode({
    headers: {
      ':message-type': string(messageType),
      [messageType === 'event' ? ':event-type' : ':exception-type']: string(type),
      ':content-type': string('application/json'),
    },
    body: fromUtf8(JSON.stringify(payload)),
  });
}
