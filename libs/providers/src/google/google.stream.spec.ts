import type { ChatCompletionChunk, ChatRequest } from '@llm-connector-hub/core';
import { HubError } from '@llm-connector-hub/core';
import { GoogleTranslator } from './google.translator';
import { fixtureText, runStream, sseEvents, streamedContent } from './google.spec-helpers';

const request: ChatRequest = { model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'Hi' }], stream: true };

function finishReasons(chunks: ChatCompletionChunk[]) {
  return chunks.flatMap((c) => c.choices).filter((c) => c.finish_reason !== null).map((c) => c.finish_reason);
}

function toolCallDeltas(chunks: ChatCompletionChunk[]) {
  return chunks.flatMap((c) => c.choices).flatMap((c) => c.delta.tool_calls ?? []);
}

function expectShared(chunks: ChatCompletionChunk[], id: string | RegExp, model: string) {
  for (const chunk of chunks) {
    expect(chunk.object).toBe('chat.completion.chunk');
    expect(chunk.model).toBe(model);
    expect(chunk.created).toBe(chunks[0].created);
    expect(chunk.id).toBe(chunks[0].id);
  }
  if (typeof id === 'string') expect(chunks[0].id).toBe(id);
  else expect(chunks[0].id).toMatch(id);
}

describe('Gemini stream -> chunks', () => {
  // 1 byte splits every CRLF and every multi-byte character; larger pieces cut events elsewhere.
  it.each([1, 3, 7, 64, 100_000])('streams text cut into %i-byte pieces', (pieceSize) => {
    const { chunks, error } = runStream('stream-text.sse', request, pieceSize);
    expect(error).toBeUndefined();
    expect(chunks[0].choices).toEqual([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]);
    expect(chunks.filter((c) => c.choices.some((choice) => choice.delta.role)).length).toBe(1);
    expect(streamedContent(chunks)).toBe('Voilà : la tour Eiffel mesure 330 mètres 🗼 de haut.');
    expect(finishReasons(chunks)).toEqual(['stop']);
    // The last chunk is usage-only, with the totals of the last event.
    const last = chunks[chunks.length - 1];
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual({ prompt_tokens: 11, completion_tokens: 46, total_tokens: 57, completion_tokens_details: { reasoning_tokens: 31 } });
    expect(chunks.slice(0, -1).every((c) => c.usage === undefined)).toBe(true);
    expectShared(chunks, 'AXf4aP3vHtmAz7IP1-PD2QY', 'gemini-2.5-flash');
  });

  it('streams function calls as whole tool_calls deltas with running indexes and finishes with tool_calls', () => {
    const { chunks, error } = runStream('stream-function-call.sse', request);
    expect(error).toBeUndefined();
    expect(streamedContent(chunks)).toBe('Let me check both cities.');
    const calls = toolCallDeltas(chunks);
    expect(calls.map((c) => c.index)).toEqual([0, 1]);
    expect(calls.map((c) => c.type)).toEqual(['function', 'function']);
    expect(calls.map((c) => c.function?.name)).toEqual(['get_weather', 'get_weather']);
    expect(calls.map((c) => JSON.parse(c.function!.arguments!))).toEqual([
      { location: 'Paris', unit: 'celsius' },
      { location: 'London', unit: 'celsius' },
    ]);
    for (const call of calls) expect(call.id).toMatch(/^call_[0-9a-f]{24}$/);
    expect(calls[0].id).not.toBe(calls[1].id);
    expect(finishReasons(chunks)).toEqual(['tool_calls']);
    // The finish chunk comes after the calls, so a client has every call when it sees it.
    const finishAt = chunks.findIndex((c) => c.choices[0]?.finish_reason);
    const lastCallAt = chunks.map((c) => !!c.choices[0]?.delta.tool_calls).lastIndexOf(true);
    expect(finishAt).toBeGreaterThan(lastCallAt);
    expect(chunks[chunks.length - 1].usage).toEqual({
      prompt_tokens: 96,
      completion_tokens: 105,
      total_tokens: 201,
      completion_tokens_details: { reasoning_tokens: 67 },
    });
  });

  it('skips empty text parts and takes usage from a usage-only last event', () => {
    const { chunks, error } = runStream('stream-empty-parts-usage-last.sse', { ...request, model: 'gemini-2.0-flash' }, 5);
    expect(error).toBeUndefined();
    expect(streamedContent(chunks)).toBe('Hello there!');
    // Only the role chunk may carry an empty content string.
    const contentChunks = chunks.filter((c) => c.choices[0]?.delta.content !== undefined);
    expect(contentChunks.map((c) => c.choices[0].delta.content)).toEqual(['', 'Hello', ' there!']);
    expect(finishReasons(chunks)).toEqual(['stop']);
    expect(chunks[chunks.length - 1]).toMatchObject({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 } });
    // No responseId in this stream: one generated id is shared by every chunk.
    expectShared(chunks, /^chatcmpl-/, 'gemini-2.0-flash');
  });

  it('throws the upstream error from an error event, after the text that came before it', () => {
    const { chunks, error } = runStream('stream-error.sse', request, 4);
    expect(streamedContent(chunks)).toBe('Once upon a time');
    expect(error).toBeInstanceOf(HubError);
    const hubError = error as HubError;
    expect(hubError.upstreamStatus).toBe(503);
    expect(hubError.status).toBe(502);
    expect(hubError.code).toBe('upstream_error');
    expect(hubError.retryable).toBe(true);
    expect(hubError.message).toContain('The model is overloaded');
  });

  it('keeps the meaning of a 4xx error event (429 stays a rate limit)', () => {
    const translator = new GoogleTranslator('google');
    const state = translator.createStreamState(request);
    const data = JSON.stringify({ error: { code: 429, message: 'Resource has been exhausted', status: 'RESOURCE_EXHAUSTED' } });
    expect.assertions(2);
    try {
      translator.fromStreamEvent({ data }, state);
    } catch (error) {
      expect((error as HubError).status).toBe(429);
      expect((error as HubError).code).toBe('upstream_rate_limited');
    }
  });

  it('throws stream-interrupted when the body ends before any finishReason', () => {
    const { chunks, error } = runStream('stream-interrupted.sse', request, 9);
    expect(streamedContent(chunks)).toBe('The first three primes are 2, 3');
    expect(finishReasons(chunks)).toEqual([]);
    expect(error).toBeInstanceOf(HubError);
    expect((error as HubError).code).toBe('upstream_stream_interrupted');
    expect((error as HubError).status).toBe(502);
    expect((error as HubError).provider).toBe('google');
  });

  it('rejects an event that is not JSON as upstream_bad_response', () => {
    const translator = new GoogleTranslator('google');
    expect(() => translator.fromStreamEvent({ data: '{"candidates": [' }, translator.createStreamState(request))).toThrow(
      expect.objectContaining({ code: 'upstream_bad_response' }),
    );
  });

  it('ends a blocked prompt with a content_filter finish, which counts as complete', () => {
    const translator = new GoogleTranslator('google');
    const state = translator.createStreamState(request);
    const data = JSON.stringify({ promptFeedback: { blockReason: 'PROHIBITED_CONTENT' }, usageMetadata: { promptTokenCount: 9, totalTokenCount: 9 } });
    const chunks = [...translator.fromStreamEvent({ data }, state), ...translator.finishStream(state)];
    expect(chunks.map((c) => c.choices[0] ?? null)).toEqual([
      { index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null },
      { index: 0, delta: {}, finish_reason: 'content_filter' },
      null,
    ]);
    expect(chunks[2].usage).toEqual({ prompt_tokens: 9, completion_tokens: 0, total_tokens: 9 });
  });

  it('keeps candidates apart when n > 1: own role chunk, own tool-call indexes, own finish', () => {
    const translator = new GoogleTranslator('google');
    const state = translator.createStreamState({ ...request, n: 2 });
    const call = (location: string) => ({ functionCall: { name: 'get_weather', args: { location } } });
    const events = [
      { candidates: [{ index: 0, content: { parts: [call('Paris')] } }, { index: 1, content: { parts: [{ text: 'No tools.' }] } }] },
      { candidates: [{ index: 0, content: { parts: [call('Rome')] }, finishReason: 'STOP' }, { index: 1, finishReason: 'STOP' }] },
    ];
    const chunks = events.flatMap((e) => translator.fromStreamEvent({ data: JSON.stringify(e) }, state));
    const of = (index: number) => chunks.map((c) => c.choices[0]).filter((c) => c.index === index);
    expect(of(0).flatMap((c) => c.delta.tool_calls ?? []).map((c) => c.index)).toEqual([0, 1]);
    expect(of(0).filter((c) => c.delta.role)).toHaveLength(1);
    expect(of(1).filter((c) => c.delta.role)).toHaveLength(1);
    expect(of(0).map((c) => c.finish_reason).filter(Boolean)).toEqual(['tool_calls']);
    expect(of(1).map((c) => c.finish_reason).filter(Boolean)).toEqual(['stop']);
    expect(streamedContent(chunks, 1)).toBe('No tools.');
  });

  it('never marks the stream done, even after the finishReason (Gemini has no end marker)', () => {
    const translator = new GoogleTranslator('google');
    const state = translator.createStreamState(request);
    for (const event of sseEvents(fixtureText('stream-text.sse'), 64)) {
      translator.fromStreamEvent(event, state);
      expect(translator.isStreamDone(state)).toBe(false);
    }
    expect(state.sawFinish).toBe(true);
  });
});
