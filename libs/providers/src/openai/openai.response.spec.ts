import { HubError, type ChatCompletion, type EmbeddingResponse } from '@llm-connector-hub/core';
import { readJsonFixture } from './fixtures';
import { openAIErrorMessage } from './openai.errors';
import { fromOpenAIEmbeddingResponse, fromOpenAIResponse } from './openai.response';

describe('fromOpenAIResponse', () => {
  it('passes a text completion through unchanged', () => {
    const fixture = readJsonFixture<ChatCompletion>('chat-completion.json');
    const completion = fromOpenAIResponse('openai', readJsonFixture('chat-completion.json'));
    expect(completion).toEqual(fixture);
    expect(completion.choices[0].message.content).toBe("Why don't skeletons fight each other? They don't have the guts.");
    expect(completion.usage).toMatchObject({ prompt_tokens: 23, completion_tokens: 14, total_tokens: 37 });
  });

  it('passes tool calls through unchanged', () => {
    const completion = fromOpenAIResponse('openai', readJsonFixture('chat-completion-tool-calls.json'));
    expect(completion.choices[0].finish_reason).toBe('tool_calls');
    expect(completion.choices[0].message.tool_calls?.map((call) => JSON.parse(call.function.arguments))).toEqual([
      { location: 'Shanghai' },
      { location: 'Tokyo' },
    ]);
  });

  it("fills in `object` for compatible servers that leave it out", () => {
    const body = readJsonFixture<Partial<ChatCompletion>>('chat-completion.json');
    delete body.object;
    expect(fromOpenAIResponse('vllm', body).object).toBe('chat.completion');
  });

  it.each([
    ['null', null],
    ['a string', 'Internal Server Error'],
    ['an object without choices', { id: 'x', object: 'chat.completion' }],
    ['choices that are not a list', { choices: { 0: {} } }],
  ])('rejects %s as a bad upstream answer (502)', (_name, body) => {
    let caught: unknown;
    try {
      fromOpenAIResponse('vllm', body);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(HubError);
    expect(caught).toMatchObject({ status: 502, code: 'upstream_bad_response', provider: 'vllm' });
  });
});

describe('fromOpenAIEmbeddingResponse', () => {
  it('passes an embedding list through unchanged', () => {
    const fixture = readJsonFixture<EmbeddingResponse>('embeddings.json');
    expect(fromOpenAIEmbeddingResponse('openai', readJsonFixture('embeddings.json'))).toEqual(fixture);
  });

  it.each([null, {}, { data: 'nope' }])('rejects %j as a bad upstream answer', (body) => {
    expect(() => fromOpenAIEmbeddingResponse('openai', body)).toThrow(
      expect.objectContaining({ status: 502, code: 'upstream_bad_response' }),
    );
  });
});

describe('openAIErrorMessage', () => {
  it("reads OpenAI's error body", () => {
    expect(openAIErrorMessage(readJsonFixture('error-rate-limit.json'))).toMatch(/^Rate limit reached for gpt-4o-mini/);
  });

  it("reads Azure's error body", () => {
    expect(openAIErrorMessage(readJsonFixture('azure-error-deployment-not-found.json'))).toBe(
      'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.',
    );
  });

  it('reads the shapes compatible servers use', () => {
    expect(openAIErrorMessage({ error: 'model "llama3" not found, try pulling it first' })).toBe('model "llama3" not found, try pulling it first');
    expect(openAIErrorMessage({ object: 'error', message: 'max_tokens is too large', type: 'BadRequestError', code: 400 })).toBe(
      'max_tokens is too large',
    );
    expect(openAIErrorMessage({ detail: 'Not Found' })).toBe('Not Found');
  });

  it('is undefined when there is no message to read', () => {
    for (const body of [null, undefined, 'text', 42, {}, { error: {} }, { error: { message: 42 } }, { detail: [{ msg: 'x' }] }]) {
      expect(openAIErrorMessage(body)).toBeUndefined();
    }
  });
});
