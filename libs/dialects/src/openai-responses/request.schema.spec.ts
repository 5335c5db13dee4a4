import { responsesRequestSchema } from './request.schema';

const parse = (body: object) => responsesRequestSchema.safeParse(body);
const firstIssue = (body: object) => {
  const result = parse(body);
  if (result.success) throw new Error('expected a refusal');
  const issue = result.error.issues[0];
  return { path: issue.path.join('.'), message: issue.message };
};

describe('responsesRequestSchema', () => {
  it('takes a string input as one user message', () => {
    expect(parse({ model: 'm', input: 'hi' }).data?.input).toEqual([{ type: 'message', role: 'user', content: 'hi' }]);
  });

  it('takes the items the SDKs send: easy-form messages, parts, function calls and outputs, references, reasoning', () => {
    // As @ai-sdk/openai 4.0 and openai-node 7.59 send them (docs/api.md, "OpenAI Responses API").
    const input = [
      { role: 'system', content: 'Be terse.' },
      { role: 'user', content: [{ type: 'input_text', text: 'look' }, { type: 'input_image', image_url: 'data:image/png;base64,AAAA', detail: 'auto' }] },
      { type: 'item_reference', id: 'msg_1' },
      { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'opaque' },
      { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{}', id: 'fc_1', status: 'completed' },
      { type: 'function_call_output', call_id: 'call_1', output: 'sunny' },
      { role: 'assistant', content: [{ type: 'output_text', text: 'It is sunny.', annotations: [] }], id: 'msg_2', status: 'completed', type: 'message' },
    ];
    const result = parse({ model: 'm', input, store: null, temperature: null });
    expect(result.success).toBe(true);
    expect(result.data!.input!.map((item) => item.type)).toEqual(['message', 'message', 'item_reference', 'reasoning', 'function_call', 'function_call_output', 'message']);
    expect(result.data!.store).toBeUndefined();
  });

  it.each([
    ['web_search', 'tools.0.type'],
    ['file_search', 'tools.0.type'],
    ['code_interpreter', 'tools.0.type'],
    ['mcp', 'tools.0.type'],
  ])("refuses OpenAI's hosted tool %s, naming it", (type, path) => {
    expect(firstIssue({ model: 'm', input: 'hi', tools: [{ type }] })).toEqual({ path, message: expect.stringContaining(`'${type}' is a built-in tool type`) });
  });

  it('refuses what only OpenAI can run: background, conversation, prompt templates', () => {
    expect(firstIssue({ model: 'm', input: 'hi', background: true }).path).toBe('background');
    expect(firstIssue({ model: 'm', input: 'hi', conversation: 'conv_1' }).path).toBe('conversation');
    expect(firstIssue({ model: 'm', input: 'hi', prompt: { id: 'pmpt_1' } }).path).toBe('prompt');
    expect(parse({ model: 'm', input: 'hi', background: false }).success).toBe(true);
  });

  it('needs input unless the request continues a stored response', () => {
    expect(firstIssue({ model: 'm' }).path).toBe('input');
    expect(parse({ model: 'm', previous_response_id: 'resp_1' }).success).toBe(true);
  });

  it('names the item of an unsupported part or item type', () => {
    expect(firstIssue({ model: 'm', input: [{ role: 'user', content: [{ type: 'input_file', file_data: 'x' }] }] })).toEqual({
      path: 'input.0.content',
      message: expect.stringContaining('input_file is not supported'),
    });
    expect(firstIssue({ model: 'm', input: [{ type: 'web_search_call', id: 'ws_1' }] }).path).toBe('input.0.type');
  });
});
