import { eventually, parseSse, readAll, startFake, type RunningFake } from '../test/helpers';

const AUTH = { authorization: 'Bearer test-key' };
const WEATHER = {
  type: 'function',
  function: {
    name: 'get_weather',
    parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { enum: ['c', 'f'] } }, required: ['city'] },
  },
};
const TIME = { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: { tz: { type: 'string' } } } } };

function chat(content: string, extra: Record<string, unknown> = {}) {
  return { model: 'gpt-4o', messages: [{ role: 'user', content }], ...extra };
}

/** The JSON payloads of an OpenAI stream, [DONE] excluded, and whether [DONE] came. */
function chunksOf(text: string) {
  const events = parseSse(text);
  const done = events.length > 0 && events[events.length - 1].data === '[DONE]';
  return { done, chunks: events.filter((e) => e.data !== '[DONE]').map((e) => JSON.parse(e.data)) };
}

function streamedText(chunks: any[]): string {
  return chunks.map((c) => c.choices?.[0]?.delta?.content ?? '').join('');
}

describe('OpenAI routes', () => {
  let t: RunningFake;
  beforeAll(async () => {
    t = await startFake();
  });
  afterAll(() => t.fake.close());
  beforeEach(() => {
    t.fake.stats.reset();
    t.fake.scenario.reset();
  });

  it('answers a chat.completion with deterministic content and usage', async () => {
    const res = await t.post('/v1/chat/completions', chat('hello there friend'), AUTH);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).not.toBeNull();
    const body = await res.json();
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-4o',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Fake reply to: hello there friend' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 3, completion_tokens: 6, total_tokens: 9 },
    });
    expect(body.id).toMatch(/^chatcmpl-/);
  });

  it('streams chunks, then the finish chunk, the include_usage chunk and [DONE]', async () => {
    const res = await t.post('/v1/chat/completions', chat('hi', { stream: true, stream_options: { include_usage: true } }), AUTH);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const { done, chunks } = chunksOf(await res.text());
    expect(done).toBe(true);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === chunks[0].id)).toBe(true);
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(chunks.filter((c) => c.choices[0]?.delta?.content)).toHaveLength(5);
    expect(streamedText(chunks)).toBe('Fake reply to: hi');
    const finish = chunks[chunks.length - 2];
    expect(finish.choices[0].finish_reason).toBe('stop');
    expect(finish.usage).toBeNull();
    const usage = chunks[chunks.length - 1];
    expect(usage.choices).toEqual([]);
    expect(usage.usage).toEqual({ prompt_tokens: 1, completion_tokens: 4, total_tokens: 5 });
  });

  it('omits the usage chunk without include_usage and honours chunks=N', async () => {
    const res = await t.post('/v1/chat/completions', chat('hi [[fake chunks=2]]', { stream: true }), AUTH);
    const { done, chunks } = chunksOf(await res.text());
    expect(done).toBe(true);
    expect(chunks.some((c) => 'usage' in c)).toBe(false);
    expect(chunks.filter((c) => c.choices[0]?.delta?.content)).toHaveLength(2);
    expect(streamedText(chunks)).toBe('Fake reply to: hi');
  });

  it('returns parallel tool calls whose arguments come from the schemas', async () => {
    const res = await t.post('/v1/chat/completions', chat('weather? [[fake tools]]', { tools: [WEATHER, TIME] }), AUTH);
    const body = await res.json();
    expect(body.choices[0].finish_reason).toBe('tool_calls');
    expect(body.choices[0].message.content).toBeNull();
    expect(body.choices[0].message.tool_calls.map((c: any) => [c.type, c.function.name, JSON.parse(c.function.arguments)])).toEqual([
      ['function', 'get_weather', { city: 'fake-city', unit: 'c' }],
      ['function', 'get_time', { tz: 'fake-tz' }],
    ]);
  });

  it('streams tool calls as indexed deltas that reassemble into the arguments', async () => {
    const res = await t.post('/v1/chat/completions', chat('weather? [[fake tools]]', { tools: [WEATHER, TIME], stream: true }), AUTH);
    const { done, chunks } = chunksOf(await res.text());
    expect(done).toBe(true);
    const calls: { id?: string; name?: string; args: string; deltas: number }[] = [];
    for (const chunk of chunks) {
      for (const delta of chunk.choices[0]?.delta?.tool_calls ?? []) {
        const call = (calls[delta.index] ??= { args: '', deltas: 0 });
        if (delta.id) {
          expect(call.id).toBeUndefined(); // id and name only on the first delta
          call.id = delta.id;
          call.name = delta.function.name;
        }
        call.args += delta.function?.arguments ?? '';
        call.deltas++;
      }
    }
    expect(calls.map((c) => [c.name, JSON.parse(c.args)])).toEqual([
      ['get_weather', { city: 'fake-city', unit: 'c' }],
      ['get_time', { tz: 'fake-tz' }],
    ]);
    expect(calls[0].deltas).toBeGreaterThan(3);
    expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe('tool_calls');
  });

  it('calls only the first tool with tools=1', async () => {
    const res = await t.post('/v1/chat/completions', chat('[[fake tools=1]]', { tools: [WEATHER, TIME] }), AUTH);
    const body = await res.json();
    expect(body.choices[0].message.tool_calls.map((c: any) => c.function.name)).toEqual(['get_weather']);
  });

  it('replies from the tool results of the final turn', async () => {
    const res = await t.post(
      '/v1/chat/completions',
      {
        model: 'gpt-4o',
        tools: [WEATHER],
        messages: [
          { role: 'user', content: 'weather in Paris? [[fake tools]]' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 'c1', content: '22C and sunny' },
        ],
      },
      AUTH,
    );
    expect((await res.json()).choices[0].message.content).toBe('Fake reply using tool results: 22C and sunny');
  });

  it('replies {"ok":true} with the json directive', async () => {
    const res = await t.post('/v1/chat/completions', chat('[[fake json]]'), AUTH);
    expect((await res.json()).choices[0].message.content).toBe('{"ok":true}');
  });

  it('rejects a missing or bad key with 401 in the OpenAI error shape', async () => {
    for (const headers of [{}, { authorization: 'Bearer bad-key' }] as Record<string, string>[]) {
      const res = await t.post('/v1/chat/completions', chat('hi'), headers);
      expect(res.status).toBe(401);
      const body = await res.json();
      expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_api_key' });
      expect(typeof body.error.message).toBe('string');
    }
  });

  it('rejects an empty messages array with 400', async () => {
    const res = await t.post('/v1/chat/completions', { model: 'gpt-4o', messages: [] }, AUTH);
    expect(res.status).toBe(400);
    expect((await res.json()).error.type).toBe('invalid_request_error');
  });

  it('answers status=NNN with that error and retry-after', async () => {
    const res = await t.post('/v1/chat/completions', chat('[[fake status=429 retry-after=7]]'), AUTH);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect((await res.json()).error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' });
    const res500 = await t.post('/v1/chat/completions', chat('[[fake status=503]]', { stream: true }), AUTH);
    expect(res500.status).toBe(503);
    expect(res500.headers.get('retry-after')).toBeNull();
    expect((await res500.json()).error.type).toBe('server_error');
  });

  it("answers status=429 code=insufficient_quota in the shape of OpenAI's spent quota", async () => {
    const res = await t.post('/v1/chat/completions', chat('[[fake status=429 code=insufficient_quota]]'), AUTH);
    expect(res.status).toBe(429);
    expect((await res.json()).error).toMatchObject({ type: 'insufficient_quota', code: 'insufficient_quota' });
  });

  it('waits latency=MS before answering', async () => {
    const started = Date.now();
    const res = await t.post('/v1/chat/completions', chat('[[fake latency=120]]'), AUTH);
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
  });

  it('cut-after=N destroys the connection after N content chunks, without [DONE]', async () => {
    const res = await t.post('/v1/chat/completions', chat('hello [[fake cut-after=2]]', { stream: true }), AUTH);
    expect(res.status).toBe(200);
    const { text, error } = await readAll(res);
    expect(error).toBeDefined();
    expect(text).not.toContain('[DONE]');
    expect(text).not.toContain('finish_reason":"stop"');
    const chunks = parseSse(text).map((e) => JSON.parse(e.data));
    expect(chunks.filter((c) => c.choices[0]?.delta?.content)).toHaveLength(2);
    await eventually(() => expect(t.fake.stats.snapshot()).toMatchObject({ aborted: 0, inFlight: 0 }));
  });

  it('error-after=N sends an in-stream error object and ends without [DONE]', async () => {
    const res = await t.post('/v1/chat/completions', chat('hello [[fake error-after=3]]', { stream: true }), AUTH);
    const { text, error } = await readAll(res);
    expect(error).toBeUndefined();
    const events = parseSse(text);
    expect(events.some((e) => e.data === '[DONE]')).toBe(false);
    const payloads = events.map((e) => JSON.parse(e.data));
    expect(payloads.filter((c) => c.choices?.[0]?.delta?.content)).toHaveLength(3);
    expect(payloads[payloads.length - 1]).toEqual({
      error: { message: expect.any(String), type: 'server_error', param: null, code: null },
    });
  });

  it('reset destroys the socket without a response', async () => {
    await expect(t.post('/v1/chat/completions', chat('[[fake reset]]'), AUTH)).rejects.toThrow();
    await eventually(() => expect(t.fake.stats.snapshot()).toMatchObject({ requests: 1, aborted: 0, inFlight: 0 }));
  });

  it('hang never answers, and counts as aborted once the client gives up', async () => {
    const controller = new AbortController();
    const pending = t.post('/v1/chat/completions', chat('[[fake hang]]'), AUTH, controller.signal);
    await eventually(() => expect(t.fake.stats.snapshot().inFlight).toBe(1));
    await new Promise((r) => setTimeout(r, 50));
    expect(t.fake.stats.snapshot().aborted).toBe(0);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await eventually(() => expect(t.fake.stats.snapshot()).toMatchObject({ aborted: 1, inFlight: 0, completed: 0 }));
  });

  it('stops streaming when the client disconnects mid-stream', async () => {
    const controller = new AbortController();
    const res = await t.post('/v1/chat/completions', chat('[[fake chunks=1000 chunk-delay=2]]', { stream: true }), AUTH, controller.signal);
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    await eventually(() => expect(t.fake.stats.snapshot()).toMatchObject({ aborted: 1, inFlight: 0 }));
  });

  it('respects backpressure: a reader that pauses still receives the whole stream', async () => {
    // ~1.5 MB of events: far more than the socket buffers hold, so the server must wait for 'drain'.
    const res = await t.post('/v1/chat/completions', chat(`${'word '.repeat(2000)}[[fake chunks=8000]]`, { stream: true }), AUTH);
    const reader = res.body!.getReader();
    const first = await reader.read();
    await new Promise((r) => setTimeout(r, 200));
    let text = new TextDecoder().decode(first.value);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    const { done, chunks } = chunksOf(text);
    expect(done).toBe(true);
    expect(chunks.filter((c) => c.choices[0]?.delta?.content)).toHaveLength(8000);
  });

  it('size=BYTES pads a JSON answer to about that size, sent chunked without Content-Length', async () => {
    const res = await t.post('/v1/chat/completions', chat('hello [[fake size=200000]]'), AUTH);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBeNull();
    const text = await res.text();
    expect(text.length).toBe(200_000);
    const body = JSON.parse(text);
    const content: string = body.choices[0].message.content;
    expect(content.startsWith('Fake reply to: hellox')).toBe(true);
    expect(content.replace(/^Fake reply to: hello/, '').replace(/x/g, '')).toBe('');
  });

  it('size=BYTES adds that much padding content to a stream, in events of 16 KiB', async () => {
    const res = await t.post('/v1/chat/completions', chat('hello [[fake size=100000]]', { stream: true }), AUTH);
    const { done, chunks } = chunksOf(await res.text());
    expect(done).toBe(true);
    const content = streamedText(chunks);
    expect(content.startsWith('Fake reply to: hello')).toBe(true);
    expect(content.length - 'Fake reply to: hello'.length).toBe(7 * 16 * 1024);
  });

  it('event-size=BYTES makes the first content event that much larger', async () => {
    const res = await t.post('/v1/chat/completions', chat('hello [[fake event-size=300000]]', { stream: true }), AUTH);
    const events = parseSse(await res.text());
    expect(events[1].data.length).toBeGreaterThan(300_000);
    expect(events.at(-1)?.data).toBe('[DONE]');
  });

  it.each([
    ['a JSON answer', chat('[[fake stall]]')],
    ['a stream', chat('[[fake stall]]', { stream: true })],
  ])('stall sends the headers of %s, then nothing until the client gives up', async (_name, body) => {
    const controller = new AbortController();
    const res = await t.post('/v1/chat/completions', body, AUTH, controller.signal);
    expect(res.status).toBe(200);
    const reading = readAll(res);
    await new Promise((r) => setTimeout(r, 100));
    expect(t.fake.stats.snapshot()).toMatchObject({ inFlight: 1, completed: 0 });
    controller.abort();
    expect((await reading).text).toBe('');
    await eventually(() => expect(t.fake.stats.snapshot()).toMatchObject({ aborted: 1, inFlight: 0 }));
  });

  it('stall-after=N sends N content chunks, then nothing until the client gives up', async () => {
    const controller = new AbortController();
    const res = await t.post('/v1/chat/completions', chat('hello [[fake stall-after=2]]', { stream: true }), AUTH, controller.signal);
    const reader = res.body!.getReader();
    let text = '';
    while (parseSse(text).length < 3) text += new TextDecoder().decode((await reader.read()).value);
    await new Promise((r) => setTimeout(r, 100));
    expect(t.fake.stats.snapshot()).toMatchObject({ inFlight: 1, completed: 0 });
    controller.abort();
    const chunks = parseSse(text).map((e) => JSON.parse(e.data));
    expect(chunks.filter((c) => c.choices[0]?.delta?.content)).toHaveLength(2);
    await eventually(() => expect(t.fake.stats.snapshot()).toMatchObject({ aborted: 1, inFlight: 0 }));
  });

  it('drip=MS sends the body a byte at a time, whole in the end', async () => {
    const res = await t.post('/v1/chat/completions', chat('hi [[fake drip=1 chunks=1]]', { stream: true }), AUTH);
    const reader = res.body!.getReader();
    let text = '';
    let pieces = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      pieces += 1;
      text += new TextDecoder().decode(value);
    }
    expect(pieces).toBeGreaterThan(1);
    expect(chunksOf(text)).toMatchObject({ done: true });
    expect(streamedText(chunksOf(text).chunks)).toBe('Fake reply to: hi');
  });

  it('returns deterministic embeddings, as floats or base64', async () => {
    const res = await t.post('/v1/embeddings', { model: 'text-embedding-3-small', input: ['one two', 'three'] }, AUTH);
    const body = await res.json();
    expect(body).toMatchObject({ object: 'list', model: 'text-embedding-3-small', usage: { prompt_tokens: 3, total_tokens: 3 } });
    expect(body.data.map((d: any) => [d.object, d.index, d.embedding.length])).toEqual([
      ['embedding', 0, 8],
      ['embedding', 1, 8],
    ]);
    const again = await (await t.post('/v1/embeddings', { model: 'm', input: 'one two' }, AUTH)).json();
    expect(again.data[0].embedding).toEqual(body.data[0].embedding);
    expect(again.data[0].embedding).not.toEqual(body.data[1].embedding);

    const b64 = await (await t.post('/v1/embeddings', { model: 'm', input: 'one two', encoding_format: 'base64', dimensions: 4 }, AUTH)).json();
    const floats = new Float32Array(new Uint8Array(Buffer.from(b64.data[0].embedding, 'base64')).buffer);
    const plain = await (await t.post('/v1/embeddings', { model: 'm', input: 'one two', dimensions: 4 }, AUTH)).json();
    expect(floats).toHaveLength(4);
    plain.data[0].embedding.forEach((v: number, i: number) => expect(floats[i]).toBeCloseTo(v, 5));
  });
});

describe('Azure OpenAI routes', () => {
  let t: RunningFake;
  beforeAll(async () => {
    t = await startFake();
  });
  afterAll(() => t.fake.close());

  const path = '/openai/deployments/my-gpt/chat/completions';

  it('answers with the api-key header and api-version, model defaulting to the deployment', async () => {
    const res = await t.post(`${path}?api-version=2024-10-21`, { messages: [{ role: 'user', content: 'hi' }] }, { 'api-key': 'k' });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.model).toBe('my-gpt');
    expect(body.choices[0].message.content).toBe('Fake reply to: hi');
    expect(t.fake.stats.snapshot().byRoute['azure.chat.completions']).toBe(1);
  });

  it('requires api-version (400) and api-key (401), in the Azure error shape', async () => {
    const noVersion = await t.post(path, { messages: [{ role: 'user', content: 'hi' }] }, { 'api-key': 'k' });
    expect(noVersion.status).toBe(400);
    expect((await noVersion.json()).error.code).toBe('400');
    const bearerOnly = await t.post(`${path}?api-version=2024-10-21`, { messages: [{ role: 'user', content: 'hi' }] }, AUTH);
    expect(bearerOnly.status).toBe(401);
    expect((await bearerOnly.json()).error).toEqual({ code: '401', message: expect.any(String) });
  });

  it('serves embeddings', async () => {
    const res = await t.post('/openai/deployments/emb/embeddings?api-version=2024-10-21', { input: 'x' }, { 'api-key': 'k' });
    const body = await res.json();
    expect(body.model).toBe('emb');
    expect(body.data[0].embedding).toHaveLength(8);
  });
});
