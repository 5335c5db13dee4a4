import { validateBody as check } from '../common/validate-body';
import { chatRequestSchema, type ChatRequestBody } from './chat-request.schema';
import { toHubRequest } from './to-hub-request';

/** A body the chat schema accepts, as the route hands it on. */
function valid(body: unknown): ChatRequestBody {
  const result = check(chatRequestSchema, body);
  if ('error' in result) throw result.error;
  return result.value;
}

describe('toHubRequest', () => {
  it('removes top-level null fields so providers see them as absent', () => {
    const body = valid({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'hi' }],
      temperature: null,
      max_tokens: null,
      stream: null,
      stream_options: null,
      logit_bias: null,
      seed: null,
    });
    const request = toHubRequest(body);
    expect(request).toEqual({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    expect(Object.keys(request)).toEqual(['model', 'messages']);
  });

  it('keeps falsy values that are not null, nested nulls and passed-through extras', () => {
    const request = toHubRequest(
      valid({
        model: 'm',
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: null, refusal: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '' } }] },
          { role: 'tool', tool_call_id: 'c', content: '' },
        ],
        temperature: 0,
        stream: false,
        user: '',
        top_k: 0,
        extra_body: null,
      }),
    );
    expect(request).toEqual({
      model: 'm',
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: null, refusal: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '' } }] },
        { role: 'tool', tool_call_id: 'c', content: '' },
      ],
      temperature: 0,
      stream: false,
      user: '',
      top_k: 0,
    });
  });
});
