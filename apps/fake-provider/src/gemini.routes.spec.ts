import { parseSse, readAll, startFake, type RunningFake } from '../test/helpers';

const KEY = { 'x-goog-api-key': 'test-key' };
const TOOLS = [
  {
    functionDeclarations: [
      { name: 'get_weather', parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' } }, required: ['city'] } },
      { name: 'get_time', parameters: { type: 'object', properties: { tz: { type: 'string' } } } },
    ],
  },
];

const user = (text: string) => ({ role: 'user', parts: [{ text }] });

describe('Gemini routes', () => {
  let t: RunningFake;
  beforeAll(async () => {
    t = await startFake();
  });
  afterAll(() => t.fake.close());

  const generate = (body: unknown, headers: Record<string, string> = KEY) =>
    t.post('/v1beta/models/gemini-2.5-flash:generateContent', body, headers);
  const stream = (body: unknown) => t.post('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', body, KEY);

  it('pads an answer to about size=BYTES, and makes the first event event-size=BYTES larger', async () => {
    const sized = await (await generate({ contents: [user('hi [[fake size=50000]]')] })).text();
    expect(sized.length).toBe(50_000);
    expect(JSON.parse(sized).candidates[0].content.parts[0].text.startsWith('Fake reply to: hix')).toBe(true);
    const events = parseSse(await (await stream({ contents: [user('hi [[fake event-size=70000]]')] })).text());
    expect(events[0].data.length).toBeGreaterThan(70_000);
    expect(JSON.parse(events.at(-1)!.data).candidates[0].finishReason).toBe('STOP');
  });

  it('answers generateContent with candidates and usageMetadata', async () => {
    const res = await generate({ contents: [user('hello there')], systemInstruction: { parts: [{ text: 'be nice' }] } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      candidates: [{ content: { role: 'model', parts: [{ text: 'Fake reply to: hello there' }] }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 5, totalTokenCount: 9 },
      modelVersion: 'gemini-2.5-flash',
    });
  });

  it('accepts the key as ?key=', async () => {
    const res = await t.post('/v1beta/models/gemini-2.5-flash:generateContent?key=abc', { contents: [user('hi')] });
    expect(res.status).toBe(200);
  });

  it('streams SSE events (CRLF framed) with finishReason and usage only on the last', async () => {
    const res = await stream({ contents: [user('hi')] });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await res.text();
    expect(text).toContain('\r\n\r\n');
    const payloads = parseSse(text).map((e) => JSON.parse(e.data));
    expect(payloads).toHaveLength(6);
    const last = payloads.pop();
    expect(last.candidates[0].finishReason).toBe('STOP');
    expect(last.usageMetadata).toEqual({ promptTokenCount: 1, candidatesTokenCount: 4, totalTokenCount: 5 });
    for (const p of payloads) {
      expect(p.candidates[0].finishReason).toBeUndefined();
      expect(p.usageMetadata).toBeUndefined();
    }
    expect(payloads.map((p) => p.candidates[0].content.parts[0].text).join('')).toBe('Fake reply to: hi');
  });

  it('streams a JSON array without alt=sse', async () => {
    const res = await t.post('/v1beta/models/m:streamGenerateContent', { contents: [user('hi [[fake chunks=2]]')] }, KEY);
    const array = await res.json();
    expect(array).toHaveLength(3);
    expect(array[2].candidates[0].finishReason).toBe('STOP');
  });

  it('answers functionCall parts, streamed one whole call per event', async () => {
    const body = await (await generate({ contents: [user('[[fake tools]]')], tools: TOOLS })).json();
    expect(body.candidates[0].content.parts).toEqual([
      { functionCall: { name: 'get_weather', args: { city: 'fake-city' } } },
      { functionCall: { name: 'get_time', args: { tz: 'fake-tz' } } },
    ]);
    const events = parseSse(await (await stream({ contents: [user('[[fake tools]]')], tools: TOOLS })).text()).map((e) => JSON.parse(e.data));
    expect(events.map((e) => e.candidates[0].content.parts[0].functionCall?.name)).toEqual(['get_weather', 'get_time', undefined]);
  });

  it('replies from functionResponse parts', async () => {
    const body = await (
      await generate({
        contents: [
          user('weather? [[fake tools]]'),
          { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: {} } }] },
          { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { content: '22C' } } }] },
        ],
        tools: TOOLS,
      })
    ).json();
    expect(body.candidates[0].content.parts[0].text).toBe('Fake reply using tool results: 22C');
  });

  it('rejects invalid roles and empty contents with 400 INVALID_ARGUMENT', async () => {
    for (const body of [{ contents: [{ role: 'assistant', parts: [{ text: 'x' }] }] }, { contents: [] }]) {
      const res = await generate(body);
      expect(res.status).toBe(400);
      expect((await res.json()).error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    }
  });

  it('rejects a missing or bad key with 401 UNAUTHENTICATED', async () => {
    for (const headers of [{}, { 'x-goog-api-key': 'bad-key' }] as Record<string, string>[]) {
      const res = await generate({ contents: [user('hi')] }, headers);
      expect(res.status).toBe(401);
      expect((await res.json()).error).toMatchObject({ code: 401, status: 'UNAUTHENTICATED' });
    }
  });

  it('status directive answers in the google.rpc shape', async () => {
    const res = await generate({ contents: [user('[[fake status=429 retry-after=2]]')] });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('2');
    expect((await res.json()).error).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED' });
  });

  it('error-after=N ends the stream with an error object and no finishReason', async () => {
    const { text } = await readAll(await stream({ contents: [user('hi [[fake error-after=1]]')] }));
    const payloads = parseSse(text).map((e) => JSON.parse(e.data));
    expect(payloads).toHaveLength(2);
    expect(payloads[1].error).toMatchObject({ code: 503, status: 'UNAVAILABLE' });
    expect(text).not.toContain('finishReason');
  });

  it('cut-after=N drops the connection before the finishReason event', async () => {
    const { text, error } = await readAll(await stream({ contents: [user('hi [[fake cut-after=3]]')] }));
    expect(error).toBeDefined();
    expect(parseSse(text)).toHaveLength(3);
    expect(text).not.toContain('finishReason');
  });

  it('returns deterministic batch embeddings', async () => {
    const body = { requests: ['a', 'b', 'a'].map((text) => ({ model: 'models/text-embedding-004', content: { parts: [{ text }] } })) };
    const res = await t.post('/v1beta/models/text-embedding-004:batchEmbedContents', body, KEY);
    const { embeddings } = await res.json();
    expect(embeddings).toHaveLength(3);
    expect(embeddings[0].values).toHaveLength(8);
    expect(embeddings[2].values).toEqual(embeddings[0].values);
    expect(embeddings[1].values).not.toEqual(embeddings[0].values);
  });
});
