import { estimateInputTokens } from './count-tokens';
import { countTokensParamsSchema } from './request.schema';

const estimate = (body: Record<string, unknown>) => estimateInputTokens(countTokensParamsSchema.parse({ model: 'm', ...body }));

describe('estimateInputTokens', () => {
  it('counts about four characters a token, plus a few for each message', () => {
    expect(estimate({ messages: [{ role: 'user', content: 'x'.repeat(400) }] })).toBe(4 + 100);
    expect(estimate({ messages: [{ role: 'user', content: 'abcd' }, { role: 'assistant', content: 'efgh' }] })).toBe(8 + 2);
  });

  it('counts the system prompt, tools, tool calls and results, and a fixed amount for an image', () => {
    const bare = estimate({ messages: [{ role: 'user', content: 'hi' }] });
    expect(estimate({ system: 'x'.repeat(40), messages: [{ role: 'user', content: 'hi' }] })).toBe(bare + 10);
    expect(estimate({ tools: [{ name: 'f', input_schema: { type: 'object' } }], messages: [{ role: 'user', content: 'hi' }] })).toBeGreaterThan(bare);
    const image = { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'x'.repeat(100_000) } };
    expect(estimate({ messages: [{ role: 'user', content: [image] }] })).toBe(4 + 1_600);
    const loop = [
      { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: { city: 'Paris' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: 'x'.repeat(80) }] }] },
    ];
    expect(estimate({ messages: loop })).toBeGreaterThan(8 + 20);
  });
});
