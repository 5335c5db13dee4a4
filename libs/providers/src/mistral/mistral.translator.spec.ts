import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HubError, type ChatCompletionChunk, type ChatRequest } from '@llm-connector-hub/core';
import { SSE_STREAM_FORMAT } from '../shared';
import { mistralToolCallId } from './mistral.request';
import { MistralTranslator } from './mistral.translator';

const translator = new MistralTranslator('mistral');
const plain: ChatRequest = { model: 'mistral-small-latest', messages: [{ role: 'user', content: 'Hi' }] };
const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');

/** Decodes a recorded SSE stream in `pieceSize`-byte pieces and translates it like HttpChatProvider.stream. */
function replay(name: string, pieceSize: number): { chunks: ChatCompletionChunk[]; error?: unknown } {
  const bytes = Buffer.from(fixture(name));
  const decoder = SSE_STREAM_FORMAT.createDecoder(1024 * 1024);
  const state = translator.createStreamState();
  const chunks: ChatCompletionChunk[] = [];
  try {
    const events = [];
    for (let at = 0; at < bytes.length; at += pieceSize) events.push(...decoder.push(bytes.subarray(at, at + pieceSize)));
    events.push(...decoder.end());
    for (const event of events) if (!translator.isStreamDone(state)) chunks.push(...translator.fromStreamEvent(event, state));
    chunks.push(...translator.finishStream(state));
  } catch (error) {
    return { chunks, error };
  }
  return { chunks };
}

describe('toMistralRequest', () => {
  it("renames what Mistral names otherwise and drops OpenAI's fields it refuses", () => {
    const body = translator.toWireRequest(
      { ...plain, seed: 7, max_completion_tokens: 50, user: 'u1', logit_bias: { 1: 2 }, stream_options: { include_usage: true }, tool_choice: 'required', tools: [{ type: 'function', function: { name: 'f' } }] },
      true,
    );
    expect(body).toEqual({
      model: 'mistral-small-latest',
      messages: [{ role: 'user', content: 'Hi' }],
      max_tokens: 50,
      random_seed: 7,
      tools: [{ type: 'function', function: { name: 'f' } }],
      tool_choice: 'any',
      stream: true,
    });
  });

  it('gives tool calls and results ids of 9 letters or digits, the same for a call and its result', () => {
    const body = translator.toWireRequest(
      {
        ...plain,
        messages: [
          { role: 'user', content: 'Weather?' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'call_abc123XYZ', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 'call_abc123XYZ', content: 'Sunny' },
        ],
      },
      false,
    ) as { messages: Array<{ tool_calls?: Array<{ id: string }>; tool_call_id?: string }> };
    const id = body.messages[1].tool_calls![0].id;
    expect(id).toMatch(/^[A-Za-z0-9]{9}$/);
    expect(body.messages[2].tool_call_id).toBe(id);
    expect(mistralToolCallId('D681PevKs')).toBe('D681PevKs');
  });
});

describe('fromMistralResponse', () => {
  it('reads a text answer with usage', () => {
    const completion = translator.fromWireResponse(JSON.parse(fixture('response-text.json')));
    expect(completion.choices[0]).toEqual({ index: 0, message: { role: 'assistant', content: 'Hello! How can I assist you today?' }, finish_reason: 'stop' });
    expect(completion.usage).toEqual({ prompt_tokens: 16, completion_tokens: 34, total_tokens: 50 });
  });

  it('reads tool calls (content null, as OpenAI clients expect)', () => {
    const completion = translator.fromWireResponse(JSON.parse(fixture('response-tool-calls.json')));
    expect(completion.choices[0].message).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'D681PevKs', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris"}' } }],
    });
    expect(completion.choices[0].finish_reason).toBe('tool_calls');
  });

  it('keeps the text chunks of a reasoning model and reads past its thinking', () => {
    expect(translator.fromWireResponse(JSON.parse(fixture('response-thinking.json'))).choices[0].message.content).toBe('Hi there!');
  });

  it("reads a 422's validation detail as the message", () => {
    expect(translator.errorMessage(JSON.parse(fixture('error-validation.json')))).toBe('body.stream_options: Extra inputs are not permitted');
  });
});

describe.each([1, 7, 64, 4096])('a Mistral stream in pieces of %i bytes', (pieceSize) => {
  it('streams text, then splits the usage off the finishing chunk into a usage-only chunk', () => {
    const { chunks, error } = replay('stream-text.sse', pieceSize);
    expect(error).toBeUndefined();
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Hello there!');
    const last = chunks[chunks.length - 1];
    expect(last).toMatchObject({ choices: [], usage: { prompt_tokens: 8, completion_tokens: 4 } });
    expect(chunks[chunks.length - 2].choices[0].finish_reason).toBe('stop');
  });

  it('streams whole tool calls under their indexes', () => {
    const { chunks } = replay('stream-tool-calls.sse', pieceSize);
    const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(calls).toEqual([
      { index: 0, id: 'D681PevKs', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris"}' } },
      { index: 1, id: 'Q2w3E4r5T', type: 'function', function: { name: 'get_time', arguments: '{}' } },
    ]);
  });

  it('reports a stream cut before its finish_reason as interrupted', () => {
    const { error } = replay('stream-truncated.sse', pieceSize);
    expect(error).toBeInstanceOf(HubError);
    expect(error).toMatchObject({ code: 'upstream_stream_interrupted' });
  });
});
