import { parseSse, SseParser, type SseEvent } from './sse-parser';

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

    it('treats a lone CR at a chunk end as a line end once the next chunk shows no LF follows', () => {
      const parser = new SseParser();
      expect(parser.push('data: a\r')).toEqual([]);
      expect(parser.push('\r')).toEqual([]);
      // Only now is it known the second CR was not the first half of a CRLF.
      expect(parser.push('data: b\n\n')).toEqual([{ data: 'a' }, { data: 'b' }]);
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

    it('dispatches a last line ended by a lone CR held back for a possible LF', () => {
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
