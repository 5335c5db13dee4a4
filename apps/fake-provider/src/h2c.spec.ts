import { Pool } from 'undici';
import { createFakeProviderServer, type FakeProviderServer } from './fake-provider.server';
import { eventually, parseSse } from '../test/helpers';

/** The cleartext HTTP/2 listener: the same routes, answers and counters as the HTTP/1.1 one. */
describe('h2c listener', () => {
  let fake: FakeProviderServer;
  let h1: string;
  let pool: Pool;

  beforeAll(async () => {
    fake = createFakeProviderServer();
    h1 = `http://127.0.0.1:${await fake.listen(0)}`;
    const h2cPort = await fake.listenH2c(0);
    // What the gateway sends with `http2: on` to a cleartext origin: HTTP/2 with prior knowledge.
    pool = new Pool(`http://127.0.0.1:${h2cPort}`, { allowH2: true, useH2c: true } as Pool.Options);
  });
  afterAll(async () => {
    await pool.destroy();
    await fake.close();
  });
  beforeEach(() => fake.stats.reset());

  const chat = (content: string, stream = false) =>
    pool.request({
      path: '/v1/chat/completions',
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
      body: JSON.stringify({ model: 'gpt-4o', stream, messages: [{ role: 'user', content }] }),
    });

  it('answers JSON and streams over HTTP/2, counted by protocol beside HTTP/1.1 requests', async () => {
    const json = await chat('hello');
    expect(json.statusCode).toBe(200);
    expect(await json.body.json()).toMatchObject({ choices: [{ message: { content: 'Fake reply to: hello' } }] });
    const stream = await chat('hello', true);
    const events = parseSse(await stream.body.text());
    expect(events.at(-1)?.data).toBe('[DONE]');
    await fetch(`${h1}/v1/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer k' }, body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }] }) });
    expect(fake.stats.snapshot()).toMatchObject({ requests: 3, byProtocol: { h2: 2, 'http/1.1': 1 }, completed: 3, aborted: 0 });
  });

  it('carries many requests at once on one connection', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => chat('[[fake latency=600000 gather=20]] hi')));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(20).fill(200));
    await Promise.all(answers.map((a) => a.body.text()));
    expect(fake.stats.snapshot()).toMatchObject({ maxInFlight: 20, completed: 20 });
  });

  it('`reset` resets only its own stream, and a client that leaves counts as aborted', async () => {
    const alive = chat('[[fake latency=200]] still here');
    await expect(chat('[[fake reset]] x').then((r) => r.body.text())).rejects.toThrow();
    const survivor = await alive;
    expect(survivor.statusCode).toBe(200);
    await survivor.body.text();
    await eventually(() => expect(fake.stats.snapshot()).toMatchObject({ requests: 2, inFlight: 0, completed: 1 }));

    const controller = new AbortController();
    const hanging = pool.request({
      path: '/v1/chat/completions',
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: '[[fake hang]]' }] }),
      signal: controller.signal,
    });
    await eventually(() => expect(fake.stats.snapshot()).toMatchObject({ requests: 3, inFlight: 1 }));
    controller.abort();
    await expect(hanging).rejects.toThrow();
    await eventually(() => expect(fake.stats.snapshot()).toMatchObject({ aborted: 1, inFlight: 0 }));
  });

  it('`cut-after` ends a stream without its end marker', async () => {
    const response = await chat('[[fake cut-after=1]] one two three four five', true);
    const events = parseSse(await response.body.text().catch(() => ''));
    expect(events.map((e) => e.data)).not.toContain('[DONE]');
  });
});
