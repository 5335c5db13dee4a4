import { Agent, request as httpRequest } from 'node:http';
import { eventually, fakeStats, providersAt, startFakeProvider, startGateway, type RunningProcess } from './support/processes';
import { START_TIMEOUT_MS, STOP_TIMEOUT_MS } from './support/timeouts';

/**
 * When the drain time runs out, every request still in flight gets an HTTP answer: a 503
 * `shutting_down` in OpenAI's shape when nothing was sent yet (JSON, or a stream still waiting
 * for its first upstream byte), an in-band error event for a stream already under way. Never a
 * reset connection.
 */
let fake: RunningProcess;

beforeAll(async () => {
  fake = await startFakeProvider();
}, START_TIMEOUT_MS);

afterAll(async () => {
  await fake?.stop();
}, STOP_TIMEOUT_MS);

const gateways: RunningProcess[] = [];
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((gateway) => gateway.stop('SIGKILL')));
}, STOP_TIMEOUT_MS);

async function drainingGateway(drainTimeoutMs: number): Promise<RunningProcess> {
  const gateway = await startGateway({
    server: { drainTimeoutMs },
    providers: providersAt(fake.url),
    resilience: { defaults: { retry: { maxAttempts: 1 } } },
    cache: { type: 'none' },
  });
  gateways.push(gateway);
  return gateway;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Set when the connection failed instead of answering. */
  error?: string;
}

/** One request with node:http, which reports a reset socket as an error rather than hiding it. */
function send(url: string, body: object): Promise<Answer> {
  return new Promise((resolve) => {
    const text = JSON.stringify(body);
    const req = httpRequest(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (data += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data }));
      res.on('error', (error) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data, error: error.message }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ status: 0, headers: {}, body: '', error: error.code ?? error.message }));
    req.end(text);
  });
}

const hanging = (model: string, stream = false) => ({ model, stream, messages: [{ role: 'user', content: 'wait [[fake hang]]' }] });

describe('when the drain time runs out', () => {
  it.each(['openai/gpt-4o-mini', 'anthropic/claude-3-5-haiku-latest', 'google/gemini-2.0-flash'])(
    'answers JSON and streams still waiting for %s with 503 shutting_down, not a reset',
    async (model) => {
      const gateway = await drainingGateway(300);
      const answers = [send(gateway.url, hanging(model)), send(gateway.url, hanging(model, true)), send(gateway.url, hanging(model)), send(gateway.url, hanging(model, true))];
      await eventually(() => fakeStats(fake.url), (stats) => stats.inFlight >= 4, 10_000);
      gateway.child.kill('SIGTERM');
      for (const answer of await Promise.all(answers)) {
        expect(answer.error).toBeUndefined();
        expect(answer.status).toBe(503);
        expect(answer.headers['x-request-id']).toBeTruthy();
        expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'shutting_down', type: 'api_error' } });
      }
      expect(await gateway.exited).toBe(0);
      // The upstream calls were cancelled, not left hanging.
      await eventually(() => fakeStats(fake.url), (stats) => stats.inFlight === 0, 10_000);
    },
    START_TIMEOUT_MS,
  );

  it('ends a stream already under way with an in-band shutting_down event', async () => {
    const gateway = await drainingGateway(300);
    const streaming = send(gateway.url, { model: 'openai/gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'slow [[fake chunks=50 chunk-delay=100]]' }] });
    await eventually(() => fakeStats(fake.url), (stats) => stats.inFlight >= 1, 10_000);
    gateway.child.kill('SIGTERM');
    const answer = await streaming;
    expect(answer.error).toBeUndefined();
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('"code":"shutting_down"');
    expect(answer.body).not.toContain('[DONE]');
    expect(await gateway.exited).toBe(0);
  }, START_TIMEOUT_MS);
});

describe('during the drain', () => {
  it('answers a request that arrives on a connection opened before SIGTERM, with Connection: close', async () => {
    // In a cluster, kube-proxy keeps an established connection on its pod after the pod has left
    // the Service: a keep-alive client's next request still reaches the draining pod.
    const gateway = await drainingGateway(10_000);
    const chat = (content: string, stream: boolean) => ({ model: 'openai/gpt-4o-mini', stream, messages: [{ role: 'user', content }] });
    // A longer stream on another connection keeps the drain going.
    const before = (await fakeStats(fake.url)).requests;
    const other = send(gateway.url, chat('keep the drain going [[fake chunks=30 chunk-delay=100]]', true));
    await eventually(() => fakeStats(fake.url), (stats) => stats.requests > before);

    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const post = (body: object, onResponse?: () => void) =>
      new Promise<{ status: number; connection?: string; reused: boolean; text: string }>((resolvePost, reject) => {
        const req = httpRequest(`${gateway.url}/v1/chat/completions`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
          onResponse?.();
          let text = '';
          res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolvePost({ status: res.statusCode ?? 0, connection: res.headers.connection, reused: req.reusedSocket, text }));
        });
        req.on('error', reject);
        req.end(JSON.stringify(body));
      });
    try {
      // A stream is in flight on the agent's one connection when SIGTERM comes (so it is not idle)...
      const first = await post(chat('short [[fake chunks=5 chunk-delay=100]]', true), () => gateway.child.kill('SIGTERM'));
      expect(first.text.trimEnd().endsWith('data: [DONE]')).toBe(true);
      // ...and the next request comes on that connection, the listener closed by then.
      const second = await post(chat('one more', false));
      expect(second).toMatchObject({ status: 200, connection: 'close', reused: true });
      expect((JSON.parse(second.text) as { object: string }).object).toBe('chat.completion');
    } finally {
      agent.destroy();
    }
    const rest = await other;
    expect(rest.status).toBe(200);
    expect(rest.body.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(await gateway.exited).toBe(0);
  }, START_TIMEOUT_MS);
});
