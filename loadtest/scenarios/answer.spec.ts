import { deltaContent, jsonAnswer, sseData, streamAnswer, tokensPerSecond } from './answer.ts';

const chunk = (delta: object, extra: object = {}) => JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: null }], ...extra });
const USAGE = JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } });

describe('answers, as k6 and the runner read them', () => {
  it('a completion: its message, its usage, complete', () => {
    const body = JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there' } }], usage: { completion_tokens: 2 } });
    expect(jsonAnswer(200, 'MISS', body)).toEqual({ status: 200, cache: 'MISS', content: 'Hello there', complete: true, completionTokens: 2, error: undefined });
  });

  it("an error answer: OpenAI's message, or the start of a body that is not JSON", () => {
    const error = JSON.stringify({ error: { message: 'model not found', type: 'invalid_request_error', param: 'model', code: 'model_not_found' } });
    expect(jsonAnswer(404, 'BYPASS', error)).toMatchObject({ status: 404, content: '', complete: false, error: 'model not found' });
    expect(jsonAnswer(502, undefined, '<html>Bad gateway</html>')).toMatchObject({ complete: false, error: '<html>Bad gateway</html>' });
  });

  it('a stream: content deltas joined, the usage chunk read, complete only with [DONE]', () => {
    const events = [chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hel' }), chunk({ content: 'lo' }), USAGE, '[DONE]'];
    expect(streamAnswer(200, 'MISS', events)).toEqual({ status: 200, cache: 'MISS', content: 'Hello', complete: true, completionTokens: 3, error: undefined });
    expect(streamAnswer(200, 'MISS', events.slice(0, 3))).toMatchObject({ content: 'Hello', complete: false, completionTokens: undefined });
  });

  it('a stream cut by an in-band error event is not complete, even if [DONE] followed', () => {
    const error = JSON.stringify({ error: { message: 'upstream stream interrupted', type: 'api_error', param: null, code: 'upstream_stream_interrupted' } });
    expect(streamAnswer(200, 'MISS', [chunk({ content: 'Hel' }), error, '[DONE]'])).toMatchObject({ content: 'Hel', complete: false, error: 'upstream stream interrupted' });
  });

  it('the first token is the first chunk with content, not the role chunk, the usage chunk or [DONE]', () => {
    expect(deltaContent(chunk({ role: 'assistant', content: '' }))).toBe('');
    expect(deltaContent(chunk({ role: 'assistant' }))).toBe('');
    expect(deltaContent(USAGE)).toBe('');
    expect(deltaContent('[DONE]')).toBe('');
    expect(deltaContent('not json')).toBe('');
    expect(deltaContent(chunk({ content: 'Hi' }))).toBe('Hi');
  });

  it('k6 reads a whole SSE body: the data of each event, whatever the line ends, comments ignored', () => {
    const body = `: keep-alive\r\ndata: ${chunk({ content: 'a' })}\r\n\r\ndata:${chunk({ content: 'b' })}\n\ndata: [DONE]\n\n`;
    expect(sseData(body)).toEqual([chunk({ content: 'a' }), chunk({ content: 'b' }), '[DONE]']);
  });

  it('tokens/s counts the time after the first token, and needs usage', () => {
    expect(tokensPerSecond(20, 500, 2500)).toBe(10);
    expect(tokensPerSecond(undefined, 500, 2500)).toBeUndefined();
    expect(tokensPerSecond(1, 500, 500)).toBeUndefined();
  });
});
