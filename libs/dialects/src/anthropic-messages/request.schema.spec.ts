import { countTokensParamsSchema, messageCreateParamsSchema } from './request.schema';

const base = { model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };
const firstIssue = (body: unknown) => {
  const result = messageCreateParamsSchema.safeParse(body);
  expect(result.success).toBe(false);
  return result.error!.issues[0];
};

describe('the /v1/messages request schema', () => {
  it('keeps fields and block types it does not know, as sent (Anthropic adds them often)', () => {
    const body = {
      ...base,
      context_management: { edits: [] },
      service_tier: 'auto',
      messages: [{ role: 'user', content: [{ type: 'search_result', source: 'https://x', title: 'X', content: [{ type: 'text', text: 'x' }] }, { type: 'text', text: 'hi', citations: null }] }],
    };
    expect(messageCreateParamsSchema.parse(structuredClone(body))).toEqual(body);
  });

  it('checks the blocks it knows, naming the field', () => {
    expect(firstIssue({ ...base, messages: [{ role: 'user', content: [{ type: 'text', text: 3 }] }] }).path).toEqual(['messages', 0, 'content', 0, 'text']);
    expect(firstIssue({ ...base, messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: 'x' }] }] }).path).toEqual(['messages', 0, 'content', 0, 'input']);
    expect(firstIssue({ ...base, messages: [{ role: 'user', content: [{ text: 'no type' }] }] }).path).toEqual(['messages', 0, 'content', 0, 'type']);
  });

  it('requires max_tokens, and a user or assistant role', () => {
    expect(firstIssue({ ...base, max_tokens: undefined }).path).toEqual(['max_tokens']);
    expect(firstIssue({ ...base, messages: [{ role: 'system', content: 'x' }] }).path).toEqual(['messages', 0, 'role']);
    expect(firstIssue({ ...base, tools: [{ name: 'f' }] }).path).toEqual(['tools', 0, 'input_schema']);
  });

  it('takes count_tokens bodies without max_tokens', () => {
    expect(countTokensParamsSchema.safeParse({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }).success).toBe(true);
  });
});
