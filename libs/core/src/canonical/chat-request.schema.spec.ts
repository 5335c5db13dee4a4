import { REQUEST_COUNT_LIMITS, chatRequestSchema } from './chat-request.schema';
import { embeddingRequestSchema } from './embeddings.schema';
import type { ChatRequest } from './chat-request';

/** The parsed request, or the first problem as `path: message`. */
function parse(body: unknown): ChatRequest {
  const result = chatRequestSchema.safeParse(body);
  if (!result.success) throw new Error(result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return result.data;
}

function problem(body: unknown): { path: string; message: string; code: string } {
  const result = chatRequestSchema.safeParse(body);
  if (result.success) throw new Error('expected the request to be refused');
  const [issue] = result.error.issues;
  return { path: issue.path.join('.'), message: issue.message, code: issue.code };
}

const user = [{ role: 'user', content: 'hi' }];

describe('chatRequestSchema', () => {
  it('removes top-level null fields so providers see them as absent', () => {
    const request = parse({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'hi' }],
      temperature: null,
      max_tokens: null,
      stream: null,
      stream_options: null,
      logit_bias: null,
      seed: null,
    });
    expect(request).toEqual({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    expect(Object.keys(request)).toEqual(['model', 'messages']);
  });

  it('keeps falsy values that are not null, nested nulls and passed-through extras', () => {
    const messages = [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: null, refusal: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '' } }] },
      { role: 'tool', tool_call_id: 'c', content: '' },
    ];
    const kept = { model: 'm', messages, temperature: 0, stream: false, user: '', top_k: 0 };
    expect(parse({ ...structuredClone(kept), extra_body: null })).toStrictEqual(kept);
  });

  it("accepts Anthropic's cache_control on text and image parts, and nothing else unknown inside a part", () => {
    const cached = { type: 'text', text: 'A long system prompt', cache_control: { type: 'ephemeral', ttl: '1h' } };
    const image = { type: 'image_url', image_url: { url: 'https://x/y.png' }, cache_control: { type: 'ephemeral' } };
    const request = parse({ model: 'm', messages: [{ role: 'system', content: [cached] }, { role: 'user', content: [image] }] });
    expect(request.messages[0].content).toEqual([cached]);
    expect(request.messages[1].content).toEqual([image]);
    // A bad value inside a part is reported at the content (a string or parts); an unknown field at the part.
    expect(problem({ model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'x', cache_control: { type: 'forever' } }] }] }).path).toBe('messages.0.content');
    expect(problem({ model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'x', cache: true }] }] })).toMatchObject({ path: 'messages.0.content.0', code: 'unrecognized_keys' });
  });

  it.each([
    ['messages', { messages: Array(REQUEST_COUNT_LIMITS.messages + 1).fill(user[0]) }, 'messages'],
    ['content parts', { messages: [{ role: 'user', content: Array(REQUEST_COUNT_LIMITS.contentParts + 1).fill({ type: 'text', text: 'x' }) }] }, 'messages.0.content'],
    [
      'tool calls',
      {
        messages: [
          ...user,
          { role: 'assistant', tool_calls: Array(REQUEST_COUNT_LIMITS.toolCalls + 1).fill({ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }) },
        ],
      },
      'messages.1.tool_calls',
    ],
    ['tools', { messages: user, tools: Array(REQUEST_COUNT_LIMITS.tools + 1).fill({ type: 'function', function: { name: 'f' } }) }, 'tools'],
    ['logit_bias entries', { messages: user, logit_bias: Object.fromEntries(Array.from({ length: REQUEST_COUNT_LIMITS.logitBias + 1 }, (_, i) => [String(i), 1])) }, 'logit_bias'],
  ])('refuses more %s than its limit', (_what, body, path) => {
    expect(problem({ model: 'm', ...body }).path).toBe(path);
  });

  it('checks fields against each other', () => {
    expect(problem({ model: 'm', messages: user, stream_options: { include_usage: true } })).toMatchObject({ path: 'stream_options' });
    expect(problem({ model: 'm', messages: user, stream: null, stream_options: { include_usage: true } })).toMatchObject({ path: 'stream_options' });
    expect(problem({ model: 'm', messages: user, tool_choice: 'required' })).toMatchObject({ path: 'tool_choice' });
  });

  it('has no hub fields: provider and timeout are the hub schema’s, and ride along here like any extra', () => {
    expect(parse({ model: 'm', messages: user, timeout: 1.5 })).toMatchObject({ timeout: 1.5 });
  });
});

describe('embeddingRequestSchema', () => {
  it('refuses unknown fields', () => {
    expect(embeddingRequestSchema.safeParse({ model: 'e', input: 'x', inputs: ['y'] }).success).toBe(false);
    expect(embeddingRequestSchema.safeParse({ model: 'e', input: ['a', 'b'], dimensions: 8 }).success).toBe(true);
  });
});
