import OpenAI from 'openai';
import { zodTextFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { providersAt, startFakeProvider, startGateway, type RunningProcess } from './support/processes';
import { START_TIMEOUT_MS, STOP_TIMEOUT_MS } from './support/timeouts';

/**
 * The official `openai` client's Responses API (`client.responses.*`) pointed at the gateway,
 * unmodified, for each provider type over the fake provider and for the mock. Its stream helper
 * checks the event order (an item opened before its deltas, a content part before its text, the
 * same response id throughout, every item done), so a wrong order fails here.
 */
let fake: RunningProcess;
let gateway: RunningProcess;
let client: OpenAI;

beforeAll(async () => {
  fake = await startFakeProvider();
  gateway = await startGateway({ providers: providersAt(fake.url) });
  client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
}, START_TIMEOUT_MS);

afterAll(async () => {
  await gateway?.stop();
  await fake?.stop();
}, STOP_TIMEOUT_MS);

const weatherTool: OpenAI.Responses.FunctionTool = {
  type: 'function',
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: 'object', properties: { location: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } }, required: ['location', 'unit'], additionalProperties: false },
  strict: true,
};

const cases = [
  { provider: 'openai', model: 'openai/gpt-4o-mini', reply: (q: string) => `Fake reply to: ${q}`, toolPrefix: 'fake', json: '[[fake json]] ', parsed: { ok: true }, schema: z.object({ ok: z.boolean() }) },
  { provider: 'anthropic', model: 'anthropic/claude-3-5-haiku-latest', reply: (q: string) => `Fake reply to: ${q}`, toolPrefix: 'fake', json: '[[fake json]] ', parsed: { ok: true }, schema: z.object({ ok: z.boolean() }) },
  { provider: 'google', model: 'google/gemini-2.0-flash', reply: (q: string) => `Fake reply to: ${q}`, toolPrefix: 'fake', json: '[[fake json]] ', parsed: { ok: true }, schema: z.object({ ok: z.boolean() }) },
  { provider: 'mock', model: 'mock/mock-1', reply: (q: string) => `Mock reply to: ${q}`, toolPrefix: 'mock', json: '', parsed: { reply: 'mock-reply' }, schema: z.object({ reply: z.string() }) },
];

describe.each(cases)('client.responses on $provider', (c) => {
  it('create: output_text, usage, and the served-by header', async () => {
    const question = `Capital of France, ${c.provider}?`;
    const { data, response } = await client.responses.create({ model: c.model, input: question, instructions: 'Be terse.' }).withResponse();
    expect(data.object).toBe('response');
    expect(data.status).toBe('completed');
    expect(data.output_text).toBe(c.reply(question));
    expect(data.usage!.output_tokens).toBeGreaterThan(0);
    expect(data.usage!.total_tokens).toBe(data.usage!.input_tokens + data.usage!.output_tokens);
    expect(response.headers.get('x-llm-hub-provider')).toBe(c.provider);
  });

  it('stream: the helper accepts the event order and assembles the same answer', async () => {
    const question = `Tell me a story, ${c.provider}`;
    const stream = client.responses.stream({ model: c.model, input: question });
    let text = '';
    const types: string[] = [];
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') text += event.delta;
    }
    const final = await stream.finalResponse();
    expect(text).toBe(c.reply(question));
    expect(final.output_text).toBe(c.reply(question));
    expect(final.status).toBe('completed');
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
  });

  it('create with a function tool, then its output on the next turn via previous_response_id', async () => {
    const first = await client.responses.create({ model: c.model, input: '[[fake tools=1]] What is the weather in Paris?', tools: [weatherTool] });
    const call = first.output.find((item): item is OpenAI.Responses.ResponseFunctionToolCall => item.type === 'function_call')!;
    expect(call.name).toBe('get_weather');
    expect(JSON.parse(call.arguments)).toEqual({ location: `${c.toolPrefix}-location`, unit: 'celsius' });
    const second = await client.responses.create({
      model: c.model,
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: 'sunny, 21 degrees' }],
      tools: [weatherTool],
    });
    expect(second.output_text).toContain('sunny, 21 degrees');
  });

  it('stream with a function tool: the final response carries the whole call', async () => {
    const stream = client.responses.stream({ model: c.model, input: '[[fake tools=1]] Weather in Paris, please', tools: [weatherTool] });
    let args = '';
    for await (const event of stream) if (event.type === 'response.function_call_arguments.delta') args += event.delta;
    const final = await stream.finalResponse();
    const call = final.output.find((item) => item.type === 'function_call')!;
    if (call.type !== 'function_call') throw new Error('no function call in the final response');
    expect(call.arguments).toBe(args);
    expect(JSON.parse(call.arguments)).toEqual({ location: `${c.toolPrefix}-location`, unit: 'celsius' });
  });

  it('parse: text.format json_schema, parsed by the client', async () => {
    const parsed = await client.responses.parse({ model: c.model, input: `${c.json}Status as JSON`, text: { format: zodTextFormat(c.schema, 'status') } });
    expect(parsed.output_parsed).toEqual(c.parsed);
  });

  it('errors map to the client classes: an unknown previous response is a NotFoundError', async () => {
    await expect(client.responses.create({ model: c.model, input: 'hi', previous_response_id: 'resp_missing' })).rejects.toMatchObject({
      status: 404,
      code: 'previous_response_not_found',
      param: 'previous_response_id',
    });
    await expect(client.responses.create({ model: c.model, input: 'hi', tools: [{ type: 'web_search' }] })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });
});
