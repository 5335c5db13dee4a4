import { SseParser } from './sse-parser';
import { SSE_DONE, sseData, sseFrame } from './sse-writer';

describe('sse-writer', () => {
  it('writes frames that an SSE parser reads back to the same payloads', () => {
    const payload = { choices: [{ delta: { content: 'line one\nline two\r\n' } }] };
    const parser = new SseParser();
    const events = parser.push(sseData(payload) + 'event: ping\ndata: {"n":1}\n\n' + SSE_DONE);
    expect(events).toEqual([
      { data: JSON.stringify(payload) },
      { event: 'ping', data: '{"n":1}' },
      { data: '[DONE]' },
    ]);
    expect(JSON.parse(events[0].data)).toEqual(payload);
  });

  it("ends the stream the way OpenAI's clients expect", () => {
    expect(SSE_DONE).toBe('data: [DONE]\n\n');
    expect(sseData({ a: 1 })).toBe('data: {"a":1}\n\n');
  });

  it('frames an upstream event again so that it reads back the same, and is byte for byte what a one-line upstream sent', () => {
    const upstream = 'event: content_block_delta\ndata: {"type":"content_block_delta","delta":{"type":"signature_delta","signature":"EqQB=="}}\n\ndata: one\ndata: two\n\n';
    const events = new SseParser().push(upstream);
    expect(events.map(sseFrame).join('')).toBe(upstream);
    expect(new SseParser().push(events.map(sseFrame).join(''))).toEqual(events);
  });
});
