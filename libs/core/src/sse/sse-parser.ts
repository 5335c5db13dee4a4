import { UPSTREAM_DEFAULTS } from '../provider/upstream-limits';

/**
 * Incremental Server-Sent Events parser (WHATWG rules: `data`, `event`, `id`, comments,
 * CRLF/CR/LF line ends, events split anywhere across network chunks).
 *
 * Written by hand because the well-known library (eventsource-parser) is ESM-only, which our
 * CommonJS build and Jest cannot load, and is callback-based where our providers need a pull
 * (async iterator) interface that respects backpressure.
 *
 * Linear in the bytes it reads, whatever the chunking: each chunk is scanned once for line ends
 * (bytes, before decoding: CR and LF never occur inside a multi-byte UTF-8 character), and the
 * start of a line that has not ended yet is copied into one growing buffer, decoded once when the
 * line ends. A line, and an event's data lines together, may not exceed `maxEventBytes`: an
 * upstream that never ends its line costs bounded memory and stops with SseEventTooLargeError.
 */
export interface SseEvent {
  event?: string;
  data: string;
  id?: string;
}

export interface SseParserOptions {
  /** Largest line, and largest event (its data lines together), in bytes. Default UPSTREAM_DEFAULTS.maxEventBytes. */
  maxEventBytes?: number;
}

/** A line or an event went past the parser's `maxEventBytes`. */
export class SseEventTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`An SSE line or event is larger than ${limitBytes} bytes.`);
    this.name = 'SseEventTooLargeError';
  }
}

const LF = 0x0a;
const CR = 0x0d;
const EMPTY = Buffer.alloc(0);
/** A line buffer grown past this is let go once its line ended, so one long line does not pin memory for the rest of the stream. */
const KEEP_BUFFER_BYTES = 64 * 1024;

export class SseParser {
  private readonly maxEventBytes: number;
  /** The start of a line that has not ended yet: `partial[0, partialLength)`. */
  private partial: Buffer = EMPTY;
  private partialLength = 0;
  /** The last chunk ended with CR: an LF opening the next chunk completes that CRLF. */
  private afterCr = false;
  private firstLine = true;
  private dataLines: string[] = [];
  private dataBytes = 0;
  private eventName: string | undefined;
  private eventId: string | undefined;
  private tooLarge: SseEventTooLargeError | undefined;
  private lineCount = 0;

  constructor(options: SseParserOptions = {}) {
    this.maxEventBytes = options.maxEventBytes ?? UPSTREAM_DEFAULTS.maxEventBytes;
  }

  /** Complete lines read so far, keep-alive comments included: a sign of life even between events. */
  get lines(): number {
    return this.lineCount;
  }

  /** Bytes held for a line that has not ended yet. */
  get bufferedBytes(): number {
    return this.partialLength;
  }

  /**
   * Set once the input went past the limit after a chunk had completed events: push() returned
   * those events, and this is to be thrown once they are handled (every later call throws it).
   */
  get error(): SseEventTooLargeError | undefined {
    return this.tooLarge;
  }

  /**
   * Feeds bytes (or text) and returns the events completed by them. Past the limit, throws
   * SseEventTooLargeError, unless the chunk completed events before that point: they are returned,
   * and `error` is set (see there).
   */
  push(chunk: Uint8Array | string): SseEvent[] {
    if (this.tooLarge) throw this.tooLarge;
    const events: SseEvent[] = [];
    try {
      this.read(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : toBuffer(chunk), events);
    } catch (error) {
      if (!(error instanceof SseEventTooLargeError)) throw error;
      this.tooLarge = error;
      this.partial = EMPTY;
      this.partialLength = 0;
      this.dataLines = [];
      if (events.length === 0) throw error;
    }
    return events;
  }

  private read(bytes: Buffer, events: SseEvent[]): void {
    const end = bytes.length;
    let start = 0;
    if (this.afterCr && end > 0) {
      this.afterCr = false;
      if (bytes[0] === LF) start = 1;
    }
    // The next CR and LF at or after `start`, each searched again only once `start` has passed it:
    // every byte is scanned at most once per terminator, however many lines the chunk holds.
    let lf = bytes.indexOf(LF, start);
    let cr = bytes.indexOf(CR, start);
    for (;;) {
      if (lf !== -1 && lf < start) lf = bytes.indexOf(LF, start);
      if (cr !== -1 && cr < start) cr = bytes.indexOf(CR, start);
      let eol: number;
      let next: number;
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        eol = cr;
        if (cr + 1 === end) {
          this.afterCr = true;
          next = end;
        } else {
          next = bytes[cr + 1] === LF ? cr + 2 : cr + 1;
        }
      } else if (lf !== -1) {
        eol = lf;
        next = lf + 1;
      } else {
        break;
      }
      const event = this.line(this.lineText(bytes, start, eol));
      this.lineCount += 1;
      if (event) events.push(event);
      start = next;
    }
    if (start < end) this.keep(bytes, start, end);
  }

  /** Ends the input: an event not closed by a blank line is dispatched only if it has data. */
  end(): SseEvent[] {
    if (this.tooLarge) throw this.tooLarge;
    const events: SseEvent[] = [];
    if (this.partialLength > 0) {
      const event = this.line(this.lineText(EMPTY, 0, 0));
      if (event) events.push(event);
    }
    const last = this.line('');
    if (last) events.push(last);
    this.afterCr = false;
    return events;
  }

  /** Keeps `bytes[start, end)`, the start of a line, until the line ends (doubling the buffer: amortized linear). */
  private keep(bytes: Buffer, start: number, end: number): void {
    const length = this.partialLength + (end - start);
    this.checkSize(length);
    if (length > this.partial.length) {
      const grown = Buffer.allocUnsafe(Math.min(Math.max(length, this.partial.length * 2, 256), this.maxEventBytes));
      this.partial.copy(grown, 0, 0, this.partialLength);
      this.partial = grown;
    }
    bytes.copy(this.partial, this.partialLength, start, end);
    this.partialLength = length;
  }

  /** The text of the line `bytes[start, eol)`, after what was kept of it from earlier chunks. */
  private lineText(bytes: Buffer, start: number, eol: number): string {
    let text: string;
    if (this.partialLength === 0) {
      if (eol === start) return '';
      this.checkSize(eol - start);
      text = bytes.toString('utf8', start, eol);
    } else {
      this.keep(bytes, start, eol);
      text = this.partial.toString('utf8', 0, this.partialLength);
      this.partialLength = 0;
      if (this.partial.length > KEEP_BUFFER_BYTES) this.partial = EMPTY;
    }
    if (this.firstLine) {
      this.firstLine = false;
      // A byte order mark opening the stream is not part of the first field name.
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    return text;
  }

  private checkSize(lineBytes: number): void {
    if (lineBytes + this.dataBytes > this.maxEventBytes) throw new SseEventTooLargeError(this.maxEventBytes);
  }

  private line(line: string): SseEvent | undefined {
    if (line.length === 0) return this.dispatch();
    if (line.charCodeAt(0) === 58 /* ':' comment */) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    switch (field) {
      case 'data':
        this.dataLines.push(value);
        // Characters, not bytes: a close enough bound (at most 3 bytes each), without re-encoding.
        this.dataBytes += value.length;
        break;
      case 'event':
        this.eventName = value;
        break;
      case 'id':
        this.eventId = value;
        break;
      default:
        break; // `retry` and unknown fields do not matter to a one-shot stream.
    }
    return undefined;
  }

  private dispatch(): SseEvent | undefined {
    if (this.dataLines.length === 0) {
      this.eventName = undefined;
      return undefined;
    }
    const event: SseEvent = { data: this.dataLines.length === 1 ? this.dataLines[0] : this.dataLines.join('\n') };
    if (this.eventName !== undefined) event.event = this.eventName;
    if (this.eventId !== undefined) event.id = this.eventId;
    this.dataLines = [];
    this.dataBytes = 0;
    this.eventName = undefined;
    return event;
  }
}

function toBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** Parses an async byte stream (an undici body) into SSE events, pulling only as fast as read. */
export async function* parseSse(body: AsyncIterable<Uint8Array | string>, options?: SseParserOptions): AsyncGenerator<SseEvent> {
  const parser = new SseParser(options);
  for await (const chunk of body) {
    const events = parser.push(chunk);
    for (const event of events) yield event;
    if (parser.error) throw parser.error;
  }
  for (const event of parser.end()) yield event;
}
