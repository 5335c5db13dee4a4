import type { ChatRequest } from '@llm-connector-hub/core';
import { HubError } from '@llm-connector-hub/core';
import { fromGoogleResponse, googleFinishReason } from './google.response';
import { fixtureJson } from './google.spec-helpers';
import type { GoogleGenerateContentResponse } from './google.wire';

const request: ChatRequest = { model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'Hi' }] };

function complete(fixture: string) {
  return fromGoogleResponse('google', fixtureJson(fixture), request);
}

describe('fromGoogleResponse', () => {
  it('turns a text answer into a chat.completion with Gemini id, model and usage', () => {
    const completion = complete('generate-text.json');
    expect(completion).toMatchObject({
      id: '3XT4aJ2CJr-Nz7IPgN3A4Qo',
      object: 'chat.completion',
      model: 'gemini-2.5-flash',
      choices: [{ index: 0, message: { role: 'assistant', content: 'The capital of France is Paris.' }, finish_reason: 'stop' }],
    });
    expect(completion.choices[0].message.tool_calls).toBeUndefined();
    expect(Number.isInteger(completion.created)).toBe(true);
    // Thinking tokens are billed output: they count as completion tokens.
    expect(completion.usage).toEqual({
      prompt_tokens: 8,
      completion_tokens: 33,
      total_tokens: 41,
      completion_tokens_details: { reasoning_tokens: 26 },
    });
  });

  it('leaves thought summaries out of the answer and reports cached prompt tokens', () => {
    const completion = complete('generate-with-thoughts.json');
    expect(completion.choices[0].message.content).toBe('17 + 25 = 42');
    expect(completion.usage).toEqual({
      prompt_tokens: 2061,
      completion_tokens: 72,
      total_tokens: 2133,
      prompt_tokens_details: { cached_tokens: 2024 },
      completion_tokens_details: { reasoning_tokens: 63 },
    });
  });

  it('turns a functionCall into a tool call with a generated id and JSON arguments', () => {
    const choice = complete('generate-function-call.json').choices[0];
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls).toHaveLength(1);
    const call = choice.message.tool_calls![0];
    expect(call.id).toMatch(/^call_[0-9a-f]{24}$/);
    expect(call.type).toBe('function');
    expect(call.function.name).toBe('get_weather');
    expect(JSON.parse(call.function.arguments)).toEqual({ location: 'Paris, France', unit: 'celsius' });
  });

  it('keeps parallel calls in order, each with its own id', () => {
    const calls = complete('generate-parallel-function-calls.json').choices[0].message.tool_calls!;
    expect(calls.map((c) => [c.function.name, JSON.parse(c.function.arguments)])).toEqual([
      ['get_weather', { location: 'Paris' }],
      ['get_weather', { location: 'London' }],
      ['get_time', { timezone: 'Europe/London' }],
    ]);
    expect(new Set(calls.map((c) => c.id)).size).toBe(3);
  });

  it("uses Gemini's functionCall.id when it sends one, and {} for a call without args", () => {
    const body = fixtureJson<GoogleGenerateContentResponse>('generate-function-call.json');
    body.candidates![0].content!.parts = [{ functionCall: { id: 'fc-7', name: 'get_time' } }];
    const call = fromGoogleResponse('google', body, request).choices[0].message.tool_calls![0];
    expect(call.id).toBe('fc-7');
    expect(call.function.arguments).toBe('{}');
  });

  it('answers a blocked prompt (no candidates) with a content_filter choice and null content', () => {
    const completion = complete('generate-prompt-blocked.json');
    expect(completion.choices).toEqual([{ index: 0, message: { role: 'assistant', content: null }, finish_reason: 'content_filter' }]);
    expect(completion.usage).toEqual({ prompt_tokens: 12, completion_tokens: 0, total_tokens: 12 });
    expect(completion.model).toBe('gemini-2.0-flash');
  });

  it('reports a candidate stopped by the safety filter as content_filter with null content', () => {
    const choice = complete('generate-candidate-safety.json').choices[0];
    expect(choice.finish_reason).toBe('content_filter');
    expect(choice.message.content).toBeNull();
  });

  it('makes one choice per candidate, indexed by candidate.index or else position', () => {
    const body: GoogleGenerateContentResponse = {
      candidates: [
        { content: { role: 'model', parts: [{ text: 'A' }] }, finishReason: 'STOP', index: 1 },
        { content: { role: 'model', parts: [{ text: 'B' }] }, finishReason: 'MAX_TOKENS', index: 0 },
      ],
    };
    const choices = fromGoogleResponse('google', body, request).choices;
    expect(choices.map((c) => [c.index, c.message.content, c.finish_reason])).toEqual([
      [1, 'A', 'stop'],
      [0, 'B', 'length'],
    ]);
    delete body.candidates![0].index;
    delete body.candidates![1].index;
    expect(fromGoogleResponse('google', body, request).choices.map((c) => c.index)).toEqual([0, 1]);
  });

  it('falls back to a generated id and the requested model when Gemini sends neither', () => {
    const body = fixtureJson<GoogleGenerateContentResponse>('generate-text.json');
    delete body.responseId;
    delete body.modelVersion;
    delete body.usageMetadata;
    const completion = fromGoogleResponse('google', body, request);
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.model).toBe('gemini-2.5-flash');
    expect(completion.usage).toBeUndefined();
  });

  it.each([[null], ['text'], [[]], [{}], [{ candidates: [] }]])('rejects an unreadable answer %j as upstream_bad_response', (body) => {
    expect.assertions(3);
    try {
      fromGoogleResponse('google', body, request);
    } catch (error) {
      expect(error).toBeInstanceOf(HubError);
      expect((error as HubError).code).toBe('upstream_bad_response');
      expect((error as HubError).status).toBe(502);
    }
  });
});

describe('googleFinishReason', () => {
  it.each([
    ['STOP', false, 'stop'],
    ['STOP', true, 'tool_calls'],
    ['MAX_TOKENS', false, 'length'],
    ['MAX_TOKENS', true, 'length'],
    ['SAFETY', false, 'content_filter'],
    ['RECITATION', false, 'content_filter'],
    ['BLOCKLIST', false, 'content_filter'],
    ['PROHIBITED_CONTENT', false, 'content_filter'],
    ['SPII', false, 'content_filter'],
    ['IMAGE_SAFETY', false, 'content_filter'],
    ['LANGUAGE', false, 'stop'],
    ['OTHER', false, 'stop'],
    ['MALFORMED_FUNCTION_CALL', false, 'stop'],
    ['SOMETHING_NEW', false, 'stop'],
    [undefined, false, null],
  ])('maps %s (calls: %s) to %s', (reason, hasCalls, expected) => {
    expect(googleFinishReason(reason, hasCalls)).toBe(expected);
  });
});
