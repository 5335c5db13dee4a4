import { parseSse, readAll, startFake, type RunningFake } from '../test/helpers';
import { fakeThinkingSignature } from './anthropic-thinking';

const HEADERS = { 'x-api-key': 'test-key', 'anthropic-version': '2023-06-01' };
const WEATHER = { name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } };
const TIME = { name: 'get_time', input_schema: { type: 'object', properties: { tz: { type: 'string' } } } };

function request(messages: unknown[], extra: Record<string, unknown> = {}) {
  return { model: 'claude-sonnet-4-5', max_tokens: 100, messages, ...extra };
}

const user = (content: unknown) => ({ role: 'user', content });
const assistant = (content: unknown) => ({ role: 'assistant', content });

describe('Anthropic routes', () => {
  let t: RunningFake;
  beforeAll(async () => {
    t = await startFake();
  });
  afterAll(() => t.fake.close());

  const post = (body: unknown, headers: Record<string, string> = HEADERS) => t.post('/v1/messages', body, headers);

  it('answers a Message with text content and usage', async () => {
    const res = await post(request([user('hello there')], { system: 'be brief' }));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [{ type: 'text', text: 'Fake reply to: hello there' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 4, output_tokens: 5 },
    });
    expect(body.id).toMatch(/^msg_/);
  });

  it('pads a Message to about size=BYTES and stalls a stream at stall-after=N, as every format does', async () => {
    const sized = await (await post(request([user('hi [[fake size=50000]]')]))).text();
    expect(sized.length).toBe(50_000);
    expect(JSON.parse(sized).content[0].text.startsWith('Fake reply to: hix')).toBe(true);
    const controller = new AbortController();
    const res = await t.post('/v1/messages', request([user('hi [[fake stall-after=1]]')], { stream: true }), HEADERS, controller.signal);
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('text_delta')) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    expect(text).not.toContain('message_stop');
  });

  it('streams the full event sequence with usage in message_start and message_delta', async () => {
    const res = await post(request([user([{ type: 'text', text: 'hi' }])], { stream: true }));
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = parseSse(await res.text());
    const types = events.map((e) => e.event);
    expect(types).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      ...Array(5).fill('content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const payloads = events.map((e) => JSON.parse(e.data));
    payloads.forEach((p, i) => expect(p.type).toBe(types[i]));
    expect(payloads[0].message).toMatchObject({ content: [], stop_reason: null, usage: { input_tokens: 1 } });
    expect(payloads.filter((p) => p.delta?.type === 'text_delta').map((p) => p.delta.text).join('')).toBe('Fake reply to: hi');
    expect(payloads[payloads.length - 2]).toMatchObject({ delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 4 } });
  });

  it('answers tool_use blocks for every tool', async () => {
    const body = await (await post(request([user('go [[fake tools]]')], { tools: [WEATHER, TIME] }))).json();
    expect(body.stop_reason).toBe('tool_use');
    expect(body.content.map((b: any) => [b.type, b.name, b.input])).toEqual([
      ['tool_use', 'get_weather', { city: 'fake-city' }],
      ['tool_use', 'get_time', { tz: 'fake-tz' }],
    ]);
    expect(body.content[0].id).toMatch(/^toolu_/);
  });

  it('puts a text block before the tool_use blocks with `preamble`, plain and streamed', async () => {
    const body = await (await post(request([user('go [[fake tools=1 preamble]]')], { tools: [WEATHER] }))).json();
    expect(body.content.map((b: any) => b.type)).toEqual(['text', 'tool_use']);
    const res = await post(request([user('go [[fake tools=1 preamble]]')], { tools: [WEATHER], stream: true }));
    const starts = parseSse(await res.text())
      .map((e) => JSON.parse(e.data))
      .filter((p) => p.type === 'content_block_start');
    expect(starts.map((p) => [p.index, p.content_block.type])).toEqual([
      [0, 'text'],
      [1, 'tool_use'],
    ]);
  });

  it('streams tool_use blocks as many input_json_delta pieces', async () => {
    const res = await post(request([user('go [[fake tools]]')], { tools: [WEATHER, TIME], stream: true }));
    const payloads = parseSse(await res.text()).map((e) => JSON.parse(e.data));
    const blocks: { name: string; json: string; deltas: number }[] = [];
    for (const p of payloads) {
      if (p.type === 'content_block_start') {
        expect(p.content_block).toMatchObject({ type: 'tool_use', input: {} });
        blocks[p.index] = { name: p.content_block.name, json: '', deltas: 0 };
      } else if (p.type === 'content_block_delta') {
        expect(p.delta.type).toBe('input_json_delta');
        blocks[p.index].json += p.delta.partial_json;
        blocks[p.index].deltas++;
      }
    }
    expect(blocks.map((b) => [b.name, JSON.parse(b.json)])).toEqual([
      ['get_weather', { city: 'fake-city' }],
      ['get_time', { tz: 'fake-tz' }],
    ]);
    expect(blocks[0].deltas).toBeGreaterThan(2);
    expect(payloads.find((p) => p.type === 'message_delta').delta.stop_reason).toBe('tool_use');
  });

  it('answers a signed thinking block first when thinking is enabled, plain and streamed', async () => {
    const thinking = { type: 'enabled', budget_tokens: 1024 };
    const body = await (await post(request([user('hi')], { thinking }))).json();
    expect(body.content.map((b: any) => b.type)).toEqual(['thinking', 'text']);
    expect(body.content[0].signature).toBe(fakeThinkingSignature(body.content[0].thinking));
    const events = parseSse(await (await post(request([user('hi')], { thinking, stream: true }))).text());
    const payloads = events.map((e) => JSON.parse(e.data));
    expect(payloads.filter((p) => p.type === 'content_block_start').map((p) => [p.index, p.content_block])).toEqual([
      [0, { type: 'thinking', thinking: '', signature: '' }],
      [1, { type: 'text', text: '' }],
    ]);
    const deltas = payloads.filter((p) => p.type === 'content_block_delta' && p.index === 0).map((p) => p.delta);
    expect(deltas.map((d) => d.type)).toEqual(['thinking_delta', 'thinking_delta', 'signature_delta']);
    expect(deltas[0].thinking + deltas[1].thinking).toBe(body.content[0].thinking);
    expect(deltas[2].signature).toBe(body.content[0].signature);
  });

  it('takes back a thinking block unchanged and refuses one whose text or signature changed', async () => {
    const answered = (await (await post(request([user('hi')], { thinking: { type: 'enabled', budget_tokens: 1024 } }))).json()).content[0];
    const replay = (block: unknown) => post(request([user('hi'), assistant([block, { type: 'text', text: 'ok' }]), user('more')]));
    expect((await replay(answered)).status).toBe(200);
    for (const changed of [{ ...answered, thinking: `${answered.thinking} ` }, { ...answered, signature: 'forged' }, { type: 'thinking', thinking: answered.thinking }]) {
      const res = await replay(changed);
      expect(res.status).toBe(400);
      expect((await res.json()).error.message).toMatch(/Invalid `signature` in `thinking` block/);
    }
  });

  it('records the last request body as received, and its headers', async () => {
    const text = '{"model":"claude-sonnet-4-5","max_tokens":100,"messages":[{"role":"user","content":"hi"}]}';
    await t.post('/v1/messages', text, { ...HEADERS, 'anthropic-beta': 'feature-a,feature-b' });
    const stats = await (await t.request('/_fake/stats')).json();
    expect(stats.lastRequest.text).toBe(text);
    expect(stats.lastRequest.headers['anthropic-beta']).toBe('feature-a,feature-b');
  });

  it('replies from tool_result blocks', async () => {
    const res = await post(
      request([
        user('weather? [[fake tools]]'),
        assistant([{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }]),
        user([{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: '22C' }] }]),
      ]),
    );
    expect((await res.json()).content[0].text).toBe('Fake reply using tool results: 22C');
  });

  it.each([
    ['missing max_tokens', { model: 'm', messages: [user('hi')] }, /max_tokens/],
    ['empty messages', request([]), /at least one message/],
    ['a system role', request([{ role: 'system', content: 'x' }]), /role/],
    ['assistant first', request([assistant('x'), user('y')]), /first message must use the "user" role/],
    ['two user turns in a row', request([user('a'), user('b')]), /roles must alternate/],
    ['two assistant turns in a row', request([user('a'), assistant('b'), assistant('c')]), /roles must alternate/],
    [
      'a tool_result without its tool_use',
      request([user('a'), assistant('b'), user([{ type: 'tool_result', tool_use_id: 'toolu_x', content: 'r' }])]),
      /unexpected `tool_use_id` found in `tool_result` blocks: toolu_x/,
    ],
    [
      'a tool_use left unanswered',
      request([user('a'), assistant([{ type: 'tool_use', id: 'toolu_1', name: 'f', input: {} }]), user('b')]),
      /`tool_use` ids were found without `tool_result` blocks/,
    ],
  ])('rejects %s with 400 invalid_request_error', async (_name, body, message) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    const error = await res.json();
    expect(error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect(error.error.message).toMatch(message);
  });

  it('requires x-api-key (401) and anthropic-version (400)', async () => {
    for (const key of [undefined, 'bad-key']) {
      const headers: Record<string, string> = { 'anthropic-version': '2023-06-01' };
      if (key) headers['x-api-key'] = key;
      const res = await post(request([user('hi')]), headers);
      expect(res.status).toBe(401);
      expect((await res.json()).error.type).toBe('authentication_error');
    }
    const res = await post(request([user('hi')]), { 'x-api-key': 'k' });
    expect(res.status).toBe(400);
  });

  it('maps status directives onto Anthropic error types', async () => {
    const res = await post(request([user('[[fake status=529]]')]));
    expect(res.status).toBe(529);
    expect((await res.json()).error.type).toBe('overloaded_error');
  });

  it('error-after=N sends an overloaded_error event and no message_stop', async () => {
    const res = await post(request([user('hi [[fake error-after=2]]')], { stream: true }));
    const events = parseSse((await readAll(res)).text);
    expect(events.filter((e) => e.event === 'content_block_delta')).toHaveLength(2);
    const last = events[events.length - 1];
    expect(last.event).toBe('error');
    expect(JSON.parse(last.data)).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    expect(events.some((e) => e.event === 'message_stop')).toBe(false);
  });

  it('cut-after=N drops the connection before message_stop', async () => {
    const res = await post(request([user('hi [[fake cut-after=1]]')], { stream: true }));
    const { text, error } = await readAll(res);
    expect(error).toBeDefined();
    const events = parseSse(text);
    expect(events.filter((e) => e.event === 'content_block_delta')).toHaveLength(1);
    expect(events.some((e) => e.event === 'message_stop' || e.event === 'message_delta')).toBe(false);
  });
});
