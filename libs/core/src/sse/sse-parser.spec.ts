import { parseSse, SseEventTooLargeError, SseParser, type SseEvent } from './sse-parser';

const encoder = new TextEncoder();

/** Feeds `parts` one by one, then ends the input. */
function parseParts(parts: Array<Uint8Array | string>): SseEvent[] {
  const parser = new SseParser();
  const events: SseEvent[] = [];
  for (const part of parts) events.push(...parser.push(part));
  events.push(...parser.end());
  return events;
}

function parse(text: string): SseEvent[] {
  return parseParts([encoder.encode(text)]);
}

async function* source(parts: Array<Uint8Array | string>): AsyncGenerator<Uint8Array | string> {
  for (const part of parts) yield part;
}

async function collect(iterable: AsyncIterable<SseEvent>): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for await (const event of iterable) events.push(event);
  return events;
}

// A stream exercising every rule at once: comments, event/id fields, multi-line data, all three
// line endings, and 2-, 3- and 4-byte UTF-8 characters.
const MIXED_STREAM =
  ': connected\r\n' +
  'event: greeting\r\n' +
  'id: 1\r\n' +
  'data: héllo wörld\r\n' +
  '\r\n' +
  'data: 日本語\rdata: second line\r\r' +
  'data: 🎉 party\n' +
  ': a comment inside an event\n' +
  'data:no-space\n' +
  '\n' +
  'event: done\n' +
  'data: [DONE]\n' +
  '\n';

const MIXED_EVENTS: SseEvent[] = [
  { event: 'greeting', id: '1', data: 'héllo wörld' },
  { id: '1', data: '日本語\nsecond line' },
  { id: '1', data: '🎉 party\nno-space' },
  { event: 'done', id: '1', data: '[DONE]' },
];

describe('SseParser', () => {
  describe('line endings', () => {
    it.each([
      ['LF', '\n'],
      ['CRLF', '\r\n'],
      ['CR', '\r'],
    ])('reads events separated by %s', (_name, eol) => {
      const text = `data: one${eol}${eol}data: two${eol}data: more${eol}${eol}`;
      expect(parse(text)).toEqual([{ data: 'one' }, { data: 'two\nmore' }]);
    });

    it('reads a stream that mixes LF, CRLF and CR', () => {
      expect(parse(MIXED_STREAM)).toEqual(MIXED_EVENTS);
    });

    it('treats a CRLF split between two chunks as one line end, not two', () => {
      // Were the CR and the LF read as two line ends, the empty "line" between them would
      // dispatch `a` and `b` as two separate events.
      expect(parseParts(['data: a\r', '\ndata: b\r', '\n\r', '\n'])).toEqual([{ data: 'a\nb' }]);
    });

    it('treats a CR at a chunk end as a line end at once (an LF opening the next chunk completes it)', () => {
      const parser = new SseParser();
      expect(parser.push('data: a\r')).toEqual([]);
      // A CR ends a line whatever follows it: the event is complete without waiting for more bytes.
      expect(parser.push('\r')).toEqual([{ data: 'a' }]);
      expect(parser.push('\ndata: b\r')).toEqual([]);
      expect(parser.push('\n\n')).toEqual([{ data: 'b' }]);
    });
  });

  describe('events split across network chunks', () => {
    const bytes = encoder.encode(MIXED_STREAM);

    it('gives the same events whatever byte the input is split at', () => {
      for (let cut = 0; cut <= bytes.length; cut++) {
        const events = parseParts([bytes.subarray(0, cut), bytes.subarray(cut)]);
        expect({ cut, events }).toEqual({ cut, events: MIXED_EVENTS });
      }
    });

    it('gives the same events when split at every pair of bytes', () => {
      for (let a = 0; a <= bytes.length; a += 3) {
        for (let b = a; b <= bytes.length; b += 5) {
          const events = parseParts([bytes.subarray(0, a), bytes.subarray(a, b), bytes.subarray(b)]);
          expect({ a, b, events }).toEqual({ a, b, events: MIXED_EVENTS });
        }
      }
    });

    it('gives the same events when fed one byte at a time', () => {
      const parts = Array.from(bytes, (byte) => Uint8Array.of(byte));
      expect(parseParts(parts)).toEqual(MIXED_EVENTS);
    });

    it('reassembles a multi-byte character split inside its bytes', () => {
      const emoji = encoder.encode('data: 🎉\n\n'); // the emoji is 4 bytes: 6..9
      for (let cut = 7; cut <= 9; cut++) {
        const parser = new SseParser();
        expect(parser.push(emoji.subarray(0, cut))).toEqual([]);
        expect(parser.push(emoji.subarray(cut))).toEqual([{ data: '🎉' }]);
      }
    });

    it('returns each event as soon as the blank line that ends it arrives', () => {
      const parser = new SseParser();
      expect(parser.push('data: {"a":')).toEqual([]);
      expect(parser.push('1}\n')).toEqual([]);
      expect(parser.push('\n')).toEqual([{ data: '{"a":1}' }]);
      expect(parser.push('data: x\n\ndata: y\n\ndata: z')).toEqual([{ data: 'x' }, { data: 'y' }]);
      expect(parser.end()).toEqual([{ data: 'z' }]);
    });
  });

  describe('fields', () => {
    it('joins several data lines with LF', () => {
      expect(parse('data: {\ndata:   "a": 1\ndata: }\n\n')).toEqual([{ data: '{\n  "a": 1\n}' }]);
    });

    it('strips exactly one space after the colon', () => {
      expect(parse('data:x\n\ndata: x\n\ndata:  x\n\n')).toEqual([{ data: 'x' }, { data: 'x' }, { data: ' x' }]);
    });

    it('reads a field name without a colon as the field with an empty value', () => {
      expect(parse('data\ndata\n\n')).toEqual([{ data: '\n' }]);
      expect(parse('data\n\n')).toEqual([{ data: '' }]);
    });

    it('keeps colons inside the value', () => {
      expect(parse('data: {"url":"https://x"}\n\n')).toEqual([{ data: '{"url":"https://x"}' }]);
    });

    it('ignores comment lines, also between the data lines of one event', () => {
      expect(parse(': ping\n\n:\n\ndata: a\n: still the same event\ndata: b\n\n')).toEqual([{ data: 'a\nb' }]);
    });

    it('ignores retry and unknown fields', () => {
      expect(parse('retry: 1000\nfoo: bar\nDATA: upper\ndata: ok\n\n')).toEqual([{ data: 'ok' }]);
    });

    it('sets the event name for one event only', () => {
      expect(parse('event: message_start\ndata: 1\n\ndata: 2\n\n')).toEqual([
        { event: 'message_start', data: '1' },
        { data: '2' },
      ]);
    });

    it('does not dispatch an event without data, nor let its name leak into the next event', () => {
      expect(parse('event: ping\n\ndata: after\n\n')).toEqual([{ data: 'after' }]);
    });

    it('keeps the last event id for the events that follow', () => {
      expect(parse('id: 7\ndata: a\n\ndata: b\n\nid: 8\ndata: c\n\n')).toEqual([
        { id: '7', data: 'a' },
        { id: '7', data: 'b' },
        { id: '8', data: 'c' },
      ]);
    });

    it('drops a leading byte order mark', () => {
      expect(parseParts([Uint8Array.of(0xef, 0xbb, 0xbf), encoder.encode('data: x\n\n')])).toEqual([{ data: 'x' }]);
    });

    it('counts complete lines, comments and blank lines included', () => {
      const parser = new SseParser();
      parser.push(': keep-alive\n\ndata: a\r\n\r\ndata: unfinished');
      expect(parser.lines).toBe(4);
    });

    it('accepts text chunks as well as bytes', () => {
      expect(parseParts(['data: ', 'é\n', '\n'])).toEqual([{ data: 'é' }]);
    });
  });

  describe('end of input', () => {
    it('dispatches a last event that lacks its blank line', () => {
      expect(parse('data: a\n\ndata: tail\n')).toEqual([{ data: 'a' }, { data: 'tail' }]);
    });

    it('dispatches a last line that lacks its line end', () => {
      expect(parse('data: [DONE]')).toEqual([{ data: '[DONE]' }]);
      expect(parse('event: end\ndata: {"x":1}')).toEqual([{ event: 'end', data: '{"x":1}' }]);
    });

    it('dispatches a last line ended by a lone CR', () => {
      expect(parse('data: a\r')).toEqual([{ data: 'a' }]);
    });

    it('dispatches nothing for a trailing event without data', () => {
      expect(parse('data: a\n\nevent: x\nid: 3\n')).toEqual([{ data: 'a' }]);
      expect(parse(': bye')).toEqual([]);
      expect(parse('')).toEqual([]);
    });

    it('turns a character cut by the end of input into U+FFFD rather than dropping the event', () => {
      const bytes = encoder.encode('data: ok€');
      expect(parseParts([bytes.subarray(0, bytes.length - 1)])).toEqual([{ data: 'ok\uFFFD' }]);
    });

    it('starts clean after end()', () => {
      const parser = new SseParser();
      parser.push('event: x\ndata: partial');
      expect(parser.end()).toEqual([{ event: 'x', data: 'partial' }]);
      expect(parser.push('data: fresh\n\n')).toEqual([{ data: 'fresh' }]);
    });
  });
});

/**
 * Runs `run` while counting the units (characters or bytes) that the string and buffer primitives
 * a parser is built from may touch: searches count from their start to the end of what they
 * search, copies and decodes count what they copy. A parser that rescans or re-copies what it
 * holds on every chunk shows up here as work growing with the square of the input, without
 * measuring time.
 */
function meterWork(run: () => void): number {
  let work = 0;
  const spies: jest.SpyInstance[] = [];
  function meter<T extends object>(target: T, name: keyof T & string, units: (self: any, args: any[], result: any) => number): void {
    const original = target[name] as unknown as (...args: unknown[]) => unknown;
    spies.push(
      jest.spyOn(target, name as never).mockImplementation(function (this: unknown, ...args: unknown[]) {
        const result = original.apply(this, args);
        work += units(this, args, result);
        return result;
      } as never),
    );
  }
  // From where a search starts to where it stops: the match, or the end.
  const searched = (self: { length: number }, args: any[], found: number) => (found === -1 ? self.length : found + 1) - (Number(args[1]) || 0);
  meter(String.prototype, 'indexOf', searched);
  meter(String.prototype, 'lastIndexOf', (self) => self.length);
  meter(String.prototype, 'slice', (self, args) => (args[1] ?? self.length) - (args[0] ?? 0));
  meter(String.prototype, 'substring', (self, args) => (args[1] ?? self.length) - (args[0] ?? 0));
  meter(String.prototype, 'split', (self) => self.length);
  meter(Buffer.prototype, 'indexOf', searched);
  meter(Uint8Array.prototype, 'indexOf', searched);
  meter(Buffer.prototype, 'toString', (self, args) => (args[2] ?? self.length) - (args[1] ?? 0));
  meter(Buffer.prototype, 'copy', (self, args) => (args[3] ?? self.length) - (args[2] ?? 0));
  meter(Uint8Array.prototype, 'set', (_self, args) => (args[0] as { length: number }).length);
  meter(Buffer, 'concat', (_self, args) => (args[0] as Uint8Array[]).reduce((sum, part) => sum + part.length, 0));
  meter(TextDecoder.prototype, 'decode', (_self, args) => (args[0] as Uint8Array | undefined)?.byteLength ?? 0);
  try {
    run();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return work;
}

/** `text` as `size`-byte chunks. */
function chunked(text: string, size: number): Buffer[] {
  const bytes = Buffer.from(text);
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(Buffer.from(bytes.subarray(i, i + size)));
  return parts;
}

describe('SseParser cost', () => {
  it('does work linear in the input when a long line arrives in many small chunks', () => {
    const line = `data: ${'x'.repeat(1024 * 1024)}\n\n`;
    const parts = chunked(line, 512);
    let events: SseEvent[] = [];
    const work = meterWork(() => {
      const parser = new SseParser();
      for (const part of parts) events = events.concat(parser.push(part));
    });
    expect(events).toHaveLength(1);
    expect(events[0].data).toHaveLength(1024 * 1024);
    // Rescanning what is held on each of the 2,049 chunks would be about a thousand times the input.
    expect(work).toBeLessThan(10 * line.length);
  });

  it('does work linear in the input when one chunk holds many lines', () => {
    const text = 'data: a\n\n'.repeat(20_000);
    let events: SseEvent[] = [];
    const work = meterWork(() => {
      events = new SseParser().push(Buffer.from(text));
    });
    expect(events).toHaveLength(20_000);
    // Searching for the next CR from each line to the end of the chunk would be quadratic here.
    expect(work).toBeLessThan(10 * text.length);
  });
});

describe('SseParser size limit', () => {
  it('stops a line that never ends once it passes the limit, holding no more than the limit', () => {
    const parser = new SseParser({ maxEventBytes: 1000 });
    let fed = 0;
    let held = 0;
    let error: unknown;
    try {
      parser.push('data: ');
      for (fed = 6; fed < 100_000; fed += 7) {
        parser.push('xxxxxxx');
        held = Math.max(held, parser.bufferedBytes);
      }
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(SseEventTooLargeError);
    expect(fed).toBeLessThanOrEqual(1000);
    expect(held).toBeLessThanOrEqual(1000);
  });

  it('stops an event whose data lines together pass the limit, each line being under it', () => {
    const parser = new SseParser({ maxEventBytes: 1000 });
    const line = `data: ${'y'.repeat(300)}\n`;
    expect(parser.push(line + line + line)).toEqual([]);
    expect(() => parser.push(line)).toThrow(new SseEventTooLargeError(1000));
  });

  it('lets through an event at the limit, and counts each event on its own', () => {
    const parser = new SseParser({ maxEventBytes: 1000 });
    const event = `data: ${'z'.repeat(994)}\n\n`; // a 1,000-byte line
    for (let i = 0; i < 5; i++) expect(parser.push(event)).toEqual([{ data: 'z'.repeat(994) }]);
  });

  it('returns the events a chunk completed before it passed the limit, then fails', () => {
    const parser = new SseParser({ maxEventBytes: 100 });
    expect(parser.push(`data: ok\n\ndata: ${'x'.repeat(200)}`)).toEqual([{ data: 'ok' }]);
    expect(parser.error).toBeInstanceOf(SseEventTooLargeError);
    expect(() => parser.push('\n\n')).toThrow(SseEventTooLargeError);
    expect(() => parser.end()).toThrow(SseEventTooLargeError);
    expect(parser.bufferedBytes).toBe(0);
  });

  it('makes parseSse reject with the error', async () => {
    const tooLong = source([`data: ${'x'.repeat(100)}`, 'x'.repeat(100), '\n\n']);
    await expect(collect(parseSse(tooLong, { maxEventBytes: 150 }))).rejects.toBeInstanceOf(SseEventTooLargeError);
    const seen: SseEvent[] = [];
    const afterAnEvent = parseSse(source([`data: ok\n\ndata: ${'x'.repeat(200)}`]), { maxEventBytes: 150 });
    await expect(
      (async () => {
        for await (const event of afterAnEvent) seen.push(event);
      })(),
    ).rejects.toBeInstanceOf(SseEventTooLargeError);
    expect(seen).toEqual([{ data: 'ok' }]);
  });
});

describe('parseSse', () => {
  it('parses an async byte stream split at arbitrary points', async () => {
    const bytes = encoder.encode(MIXED_STREAM);
    const parts: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += 7) parts.push(bytes.subarray(i, i + 7));
    await expect(collect(parseSse(source(parts)))).resolves.toEqual(MIXED_EVENTS);
  });

  it('yields an unterminated last event when the body ends', async () => {
    await expect(collect(parseSse(source(['data: a\n\n', 'data: b'])))).resolves.toEqual([{ data: 'a' }, { data: 'b' }]);
  });

  it('reads the body only as fast as events are consumed', async () => {
    let pulled = 0;
    async function* counting(): AsyncGenerator<string> {
      for (const part of ['data: 1\n\n', 'data: 2\n\n', 'data: 3\n\n']) {
        pulled++;
        yield part;
      }
    }
    const events = parseSse(counting());
    await expect(events.next()).resolves.toEqual({ done: false, value: { data: '1' } });
    expect(pulled).toBe(1);
    await events.return(undefined);
    expect(pulled).toBe(1);
  });

  it('passes on an error of the body after the events before it', async () => {
    const failure = new Error('socket hang up');
    async function* failing(): AsyncGenerator<string> {
      yield 'data: before\n\n';
      throw failure;
    }
    const seen: SseEvent[] = [];
    await expect(
      (async () => {
        for await (const event of parseSse(failing())) seen.push(event);
      })(),
    ).rejects.toBe(failure);
    expect(seen).toEqual([{ data: 'before' }]);
  });
});
