import { contentText, maxOutputTokens, type ChatRequest } from './chat-request';
import { makeUsage } from './chat-response';

const request = (extra: Partial<ChatRequest>): ChatRequest => ({ model: 'gpt-4o', messages: [], ...extra });

describe('contentText', () => {
  it('returns string content as is', () => {
    expect(contentText('Hello')).toBe('Hello');
    expect(contentText('')).toBe('');
  });

  it('returns an empty string for missing content', () => {
    expect(contentText(null)).toBe('');
    expect(contentText(undefined)).toBe('');
  });

  it('concatenates text parts in order and skips images', () => {
    expect(
      contentText([
        { type: 'text', text: 'What is ' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
        { type: 'text', text: 'in this picture?' },
      ]),
    ).toBe('What is in this picture?');
    expect(contentText([{ type: 'image_url', image_url: { url: 'https://x/y.png', detail: 'low' } }])).toBe('');
    expect(contentText([])).toBe('');
  });
});

describe('maxOutputTokens', () => {
  it('reads max_completion_tokens (the current name) first', () => {
    expect(maxOutputTokens(request({ max_completion_tokens: 100, max_tokens: 50 }))).toBe(100);
  });

  it('falls back to the legacy max_tokens', () => {
    expect(maxOutputTokens(request({ max_tokens: 256 }))).toBe(256);
  });

  it('is undefined when the request sets no cap', () => {
    expect(maxOutputTokens(request({}))).toBeUndefined();
  });

  it('treats 0 as a value, not as missing', () => {
    expect(maxOutputTokens(request({ max_completion_tokens: 0, max_tokens: 50 }))).toBe(0);
  });
});

describe('makeUsage', () => {
  it('adds up the total', () => {
    expect(makeUsage(12, 30)).toEqual({ prompt_tokens: 12, completion_tokens: 30, total_tokens: 42 });
  });
});
