import { startFake, type RunningFake } from '../test/helpers';

const AUTH = { authorization: 'Bearer k' };
const chat = (content = 'hi') => ({ model: 'gpt-4o', messages: [{ role: 'user', content }] });

describe('admin routes', () => {
  let t: RunningFake;
  beforeAll(async () => {
    t = await startFake();
  });
  afterAll(() => t.fake.close());
  beforeEach(async () => {
    await t.request('/_fake/reset', { method: 'POST' });
  });

  const stats = async () => (await t.request('/_fake/stats')).json();

  it('counts requests per route and keeps the last request', async () => {
    await t.post('/v1/chat/completions', chat('first'), AUTH);
    await t.post('/v1/messages', { model: 'c', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }, { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' });
    await t.post('/v1/chat/completions', chat('second'), { ...AUTH, 'x-trace': 'abc' });
    await t.request('/nope');
    const snapshot = await stats();
    expect(snapshot).toMatchObject({
      requests: 4,
      byRoute: { 'openai.chat.completions': 2, 'anthropic.messages': 1, unknown: 1 },
      byProtocol: { 'http/1.1': 4 },
      aborted: 0,
      inFlight: 0,
      maxInFlight: 1,
      completed: 4,
    });
    expect(snapshot.lastRequest).toMatchObject({
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { 'x-trace': 'abc' },
      body: chat('second'),
    });
  });

  it('keeps a non-JSON body as text and answers 400', async () => {
    const res = await t.post('/v1/chat/completions', 'not json', AUTH);
    expect(res.status).toBe(400);
    expect((await stats()).lastRequest.body).toBe('not json');
  });

  it('reset zeroes the counters', async () => {
    await t.post('/v1/chat/completions', chat(), AUTH);
    await t.request('/_fake/reset', { method: 'POST' });
    expect(await stats()).toEqual({ requests: 0, byRoute: {}, byProtocol: {}, aborted: 0, inFlight: 0, maxInFlight: 0, completed: 0, lastRequest: null });
  });

  it('scenario failEvery fails every Nth model request until reset', async () => {
    const scenario = (body: unknown) =>
      t.request('/_fake/scenario', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await scenario({ failEvery: 2, status: 502 });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await t.post('/v1/chat/completions', chat(), AUTH)).status);
    expect(statuses).toEqual([200, 502, 200, 502, 200, 502]);
    await t.request('/_fake/reset', { method: 'POST' });
    expect((await t.post('/v1/chat/completions', chat(), AUTH)).status).toBe(200);
    expect((await scenario({ failEvery: -2 })).status).toBe(400);
  });

  it('scenario failNext fails the next N model requests, in each format', async () => {
    const set = await t.request('/_fake/scenario', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ failNext: 2, status: 503, retryAfter: 1 }),
    });
    expect(await set.json()).toEqual({ failNext: 2, failEvery: 0, reset: false, hang: false, status: 503, retryAfter: 1 });

    const first = await t.post('/v1/chat/completions', chat(), AUTH);
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('1');
    expect((await first.json()).error.type).toBe('server_error');
    const second = await t.post('/v1beta/models/g:generateContent', { contents: [{ parts: [{ text: 'x' }] }] }, { 'x-goog-api-key': 'k' });
    expect(second.status).toBe(503);
    expect((await second.json()).error.status).toBe('UNAVAILABLE');
    expect((await t.post('/v1/chat/completions', chat(), AUTH)).status).toBe(200);
  });

  it('reset clears a pending scenario; invalid scenarios are rejected', async () => {
    const post = (body: unknown) =>
      t.request('/_fake/scenario', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await post({ failNext: 5 });
    await t.request('/_fake/reset', { method: 'POST' });
    expect((await t.post('/v1/chat/completions', chat(), AUTH)).status).toBe(200);
    expect((await post({ failNext: -1 })).status).toBe(400);
    expect((await post({ status: 200 })).status).toBe(400);
  });

  it('maxInFlight is the most requests open at once; `gather` answers as soon as that many are open', async () => {
    // A latency far beyond the test's own timeout: only gathering all five can answer them.
    const five = Array.from({ length: 5 }, () => t.post('/v1/chat/completions', chat('[[fake latency=600000 gather=5]] hi'), AUTH));
    expect((await Promise.all(five)).map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    await t.post('/v1/chat/completions', chat(), AUTH);
    expect(await stats()).toMatchObject({ requests: 6, maxInFlight: 5, inFlight: 0 });
  });

  it('admin requests are not counted', async () => {
    await stats();
    await t.request('/_fake/health');
    expect((await stats()).requests).toBe(0);
  });
});
