import { HubError } from '@llm-connector-hub/core';
import { hubEmbeddingRequestSchema as embeddingsRequestSchema, hubRequestSchema as chatRequestSchema } from '@llm-connector-hub/hub';
import { validateBody as check } from './validate-body';

/** The parsed body, or the validator's error thrown. */
function validateBody<T extends Parameters<typeof check>[0]>(schema: T, body: unknown): ReturnType<T['parse']> {
  const result = check(schema, body);
  if ('error' in result) throw result.error;
  return result.value as ReturnType<T['parse']>;
}

const user = [{ role: 'user', content: 'hi' }];

function errorOf(fn: () => unknown): HubError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HubError);
    return error as HubError;
  }
  throw new Error('expected a HubError');
}

/** The 400 the client sees, as { param, message }. */
function chatProblem(body: unknown): { param: string | null; message: string } {
  const error = errorOf(() => validateBody(chatRequestSchema, body));
  expect(error).toMatchObject({ status: 400, type: 'invalid_request_error', code: 'invalid_value' });
  return { param: error.param, message: error.message };
}

describe('validateBody', () => {
  it.each([
    ['null', null],
    ['an array', [{ model: 'm' }]],
    ['a string', 'model=m'],
    ['a number', 42],
  ])('refuses a body that is %s with 400 invalid_body', (_, body) => {
    const error = errorOf(() => validateBody(chatRequestSchema, body));
    expect(error).toMatchObject({ status: 400, code: 'invalid_body', param: null, message: 'The request body must be a JSON object.' });
  });

  describe('with the chat schema', () => {
    it('returns a valid request', () => {
      const body = {
        model: 'gpt-4o',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AA' } }] },
          { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 'c1', content: 'done' },
        ],
        tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
        tool_choice: { type: 'function', function: { name: 'f' } },
        stream: true,
        stream_options: { include_usage: true },
      };
      expect(validateBody(chatRequestSchema, body)).toEqual(body);
    });

    it('passes unknown top-level fields through (looseObject)', () => {
      const body = { model: 'llama3', messages: user, top_k: 40, chat_template_kwargs: { enable_thinking: false } };
      expect(validateBody(chatRequestSchema, body)).toEqual(body);
    });

    it('accepts null for the optional fields OpenAI allows null for, as absent', () => {
      const body = { model: 'm', messages: user, temperature: null, max_tokens: null, stream: null, stream_options: null, seed: null, timeout: null };
      expect(validateBody(chatRequestSchema, body)).toStrictEqual({ model: 'm', messages: user });
    });

    it('names a missing or empty model', () => {
      expect(chatProblem({ messages: user })).toEqual({ param: 'model', message: "Invalid 'model': model is required and must be a string." });
      expect(chatProblem({ model: '', messages: user })).toEqual({ param: 'model', message: "Invalid 'model': must not be empty." });
    });

    it('names missing or empty messages', () => {
      expect(chatProblem({ model: 'm' }).param).toBe('messages');
      expect(chatProblem({ model: 'm', messages: [] })).toEqual({
        param: 'messages',
        message: "Invalid 'messages': must contain at least one message.",
      });
    });

    it('names the message field with its index', () => {
      expect(chatProblem({ model: 'm', messages: [...user, { role: 'user', content: 5 }] })).toEqual({
        param: 'messages[1].content',
        message: "Invalid 'messages[1].content': must be a string or an array of content parts.",
      });
      expect(chatProblem({ model: 'm', messages: [{ role: 'wizard', content: 'x' }] })).toEqual({
        param: 'messages[0].role',
        message: "Invalid 'messages[0].role': role must be one of 'system', 'developer', 'user', 'assistant', 'tool'.",
      });
      expect(chatProblem({ model: 'm', messages: [{ role: 'assistant' }] })).toEqual({
        param: 'messages[0]',
        message: "Invalid 'messages[0]': an assistant message needs content or tool_calls.",
      });
    });

    it('names nested fields inside arrays', () => {
      const body = {
        model: 'm',
        messages: [...user, { role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: '', arguments: '{}' } }] }],
      };
      expect(chatProblem(body).param).toBe('messages[1].tool_calls[0].function.name');
      expect(chatProblem({ model: 'm', messages: user, tools: [{ type: 'function', function: { name: 'get weather' } }] })).toEqual({
        param: 'tools[0].function.name',
        message: "Invalid 'tools[0].function.name': must be 1-64 letters, digits, underscores or dashes.",
      });
    });

    it('lists unknown fields inside a message', () => {
      expect(chatProblem({ model: 'm', messages: [{ role: 'user', content: 'x', contents: 'y', foo: 1 }] })).toEqual({
        param: 'messages[0]',
        message: "Invalid 'messages[0]': unknown field(s) 'contents', 'foo'.",
      });
    });

    it('checks ranges of known fields', () => {
      expect(chatProblem({ model: 'm', messages: user, temperature: 3 }).param).toBe('temperature');
      expect(chatProblem({ model: 'm', messages: user, max_tokens: 0 })).toEqual({
        param: 'max_tokens',
        message: "Invalid 'max_tokens': must be at least 1.",
      });
      expect(chatProblem({ model: 'm', messages: user, timeout: 1.5 })).toEqual({ param: 'timeout', message: "Invalid 'timeout': must be an integer." });
    });

    it('checks fields against each other', () => {
      expect(chatProblem({ model: 'm', messages: user, stream_options: { include_usage: true } })).toEqual({
        param: 'stream_options',
        message: "Invalid 'stream_options': is only allowed when stream is true.",
      });
      expect(chatProblem({ model: 'm', messages: user, tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: { type: 'function', function: { name: 'g' } } })).toEqual({
        param: 'tool_choice',
        message: "Invalid 'tool_choice': names a function that is not in tools.",
      });
      expect(chatProblem({ model: 'm', messages: user, tool_choice: 'required' }).message).toBe("Invalid 'tool_choice': 'required' needs at least one tool.");
    });
  });

  describe('with the embeddings schema', () => {
    it('returns a valid request, with any of the input forms', () => {
      for (const input of ['hello', ['a', 'b'], [1, 2, 3], [[1, 2], [3]]]) {
        const body = { model: 'text-embedding-3-small', input, dimensions: 256, provider: 'openai' };
        expect(validateBody(embeddingsRequestSchema, body)).toEqual(body);
      }
    });

    it('refuses unknown top-level fields without a param', () => {
      const error = errorOf(() => validateBody(embeddingsRequestSchema, { model: 'e', input: 'x', inputs: ['y'] }));
      expect(error).toMatchObject({ status: 400, code: 'invalid_value', param: null, message: "Invalid request: unknown field(s) 'inputs'." });
    });

    it('names a bad input and a bad dimensions', () => {
      const empty = errorOf(() => validateBody(embeddingsRequestSchema, { model: 'e', input: '' }));
      expect({ param: empty.param, message: empty.message }).toEqual({ param: 'input', message: "Invalid 'input': must not be empty." });
      const wrongType = errorOf(() => validateBody(embeddingsRequestSchema, { model: 'e', input: { text: 'x' } }));
      expect(wrongType.message).toBe("Invalid 'input': input must be a non-empty string, array of strings, or array of token arrays.");
      expect(errorOf(() => validateBody(embeddingsRequestSchema, { model: 'e', input: 'x', dimensions: 0 })).param).toBe('dimensions');
      expect(errorOf(() => validateBody(embeddingsRequestSchema, { input: 'x' })).param).toBe('model');
    });
  });
});
