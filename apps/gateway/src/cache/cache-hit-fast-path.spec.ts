import { createHash } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest, LlmProvider } from '@llm-connector-hub/core';
import type { GatewayConfig } from '@llm-connector-hub/config';
import { ConnectorHub, type HubCallMeta, type HubRequest } from '@llm-connector-hub/hub';
import { CacheMiddleware } from '@llm-connector-hub/cache';
import { CostCalculator } from '@llm-connector-hub/observability';
import { ApiKeyGuard } from '../common/api-key.guard';
import { RequestTracker } from '../lifecycle/request-tracker';
import { RequestObserver } from '../observability/request-observer';
import { CacheHitFastPath } from './cache-hit-fast-path';

/**
 * CacheHitFastPath on a real Fastify instance, in front of a real hub with a real memory cache and
 * a counting provider. The route handler stands in for Nest: it answers 299 with a marker, so a
 * 200 with the cache headers can only have come from the hook, and a 299 only from the handler.
 */

const CHAT = '/v1/chat/completions';
const KEY_A = 'sk-fast-path-tenant-a-0001';
const KEY_B = 'sk-fast-path-tenant-b-0002';

/** Answers `answer #<n> to <last user text>`, so a stored answer differs from a fresh one. */
class CountingProvider implements LlmProvider {
  readonly type = 'counting';
  readonly models = ['m'];
  calls = 0;

  async complete(request: ChatRequest): Promise<ChatCompletion> {
    this.calls += 1;
    const n = this.calls;
    const prompt = request.messages.at(-1)?.content;
    return {
      id: `chatcmpl-${n}`,
      object: 'chat.completion',
      created: 1_700_000_000 + n,
      model: request.model,
      choices: [{ index: 0, message: { role: 'assistant', content: `answer #${n} to ${String(prompt)}` }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 4, completion_tokens: 6, total_tokens: 10 },
    };
  }

  async *stream(): AsyncGenerator<ChatCompletionChunk> {
    throw new Error('not used in these tests');
  }
}

interface Setup {
  app: FastifyInstance;
  hub: ConnectorHub;
  provider: CountingProvider;
  tracker: RequestTracker;
  /** What the route handler saw of each request that reached it. */
  handled: Array<{ prepared: FastifyRequest['preparedChat']; tenant?: string; method: string; url: string }>;
  /** The request log lines RequestObserver wrote. */
  lines: () => Array<Record<string, any>>;
}

const apps: FastifyInstance[] = [];

async function setup(options: { apiKeys?: string[]; logContent?: boolean } = {}): Promise<Setup> {
  const provider = new CountingProvider();
  const hub = new ConnectorHub({ aliases: { smart: 'fake/m' } }).registerProvider('fake', provider);
  hub.use(new CacheMiddleware({ type: 'memory' }));
  const config = {
    auth: { apiKeys: options.apiKeys ?? [] },
    observability: { requestLog: { enabled: true, content: options.logContent ?? false } },
  } as unknown as GatewayConfig;
  const written: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => written.push(line) });
  const observer = new RequestObserver(config, logger, new CostCalculator({ 'fake/m': { input: 1, output: 2 } }), null);
  const tracker = new RequestTracker();

  // The request id as main.ts takes it: the client's x-request-id.
  const app = Fastify({ logger: false, genReqId: (request) => String(request.headers['x-request-id'] ?? 'no-id') });
  apps.push(app);
  observer.install(app);
  new CacheHitFastPath(hub, new ApiKeyGuard(config), tracker, observer).install(app);
  const handled: Setup['handled'] = [];
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    handled.push({ prepared: request.preparedChat, tenant: request.tenant, method: request.method, url: request.url });
    return reply.code(299).send({ answeredBy: 'route handler' });
  };
  app.post(CHAT, handler);
  app.get(CHAT, handler);
  app.post('/v1/embeddings', handler);
  app.post('/api/chat', handler);
  await app.ready();
  const lines = () => written.map((line) => JSON.parse(line) as Record<string, any>).filter((line) => line.msg === 'request');
  return { app, hub, provider, tracker, handled, lines };
}

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

const chat = (content: string, extra: object = {}) => ({ model: 'fake/m', messages: [{ role: 'user', content }], ...extra });

/** The tenant ApiKeyGuard derives from a gateway key (a digest prefix, never the key). */
const tenantOf = (key: string) => createHash('sha256').update(key).digest().toString('hex', 0, 8);

/** Stores the answer to `body` in the hub's cache (a miss that goes upstream), as `tenant`. */
async function prime(hub: ConnectorHub, body: object, tenant?: string): Promise<ChatCompletion> {
  const meta: HubCallMeta = {};
  const completion = await hub.complete(structuredClone(body) as HubRequest, { tenant, meta });
  expect(meta.cache).toBe('MISS');
  return JSON.parse(JSON.stringify(completion)) as ChatCompletion;
}

function post(app: FastifyInstance, body: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: CHAT, payload: body as object, headers: { 'content-type': 'application/json', ...headers } });
}

/**
 * Over a real socket: light-my-request's fake response never reports itself finished, so the
 * observer would log every injected request as a client that left (499).
 */
async function postOverHttp(app: FastifyInstance, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const response = await fetch(`${address}${CHAT}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  await response.arrayBuffer();
  return response;
}

/** Waits (briefly) for the request log to hold `count` lines: they are written when the response closes. */
async function linesWhen(read: () => Array<Record<string, any>>, count: number): Promise<Array<Record<string, any>>> {
  for (let i = 0; i < 100 && read().length < count; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  await new Promise((resolve) => setTimeout(resolve, 20));
  return read();
}

function expectAnsweredByHook(response: LightMyRequestResponse, stored: ChatCompletion): void {
  expect(response.statusCode).toBe(200);
  expect(response.headers['x-llm-hub-cache']).toBe('HIT');
  expect(response.headers['x-llm-hub-attempts']).toBe('0');
  expect(response.headers['x-llm-hub-provider']).toBe('fake');
  expect(response.headers['x-llm-hub-target']).toBe('fake/m');
  expect(response.headers['content-type']).toContain('application/json');
  expect(response.json()).toEqual(stored);
}

function expectReachedHandler(response: LightMyRequestResponse): void {
  expect(response.statusCode).toBe(299);
  expect(response.json()).toEqual({ answeredBy: 'route handler' });
  expect(response.headers['x-llm-hub-cache']).toBeUndefined();
}

describe('CacheHitFastPath', () => {
  describe('answers a memory hit before the route handler', () => {
    it('serves the stored completion with the cache headers; the handler and the provider are not called', async () => {
      const { app, hub, provider, handled } = await setup();
      const stored = await prime(hub, chat('primed question'));
      expect(provider.calls).toBe(1);

      const first = await post(app, chat('primed question'));
      const second = await post(app, chat('primed question'));
      expectAnsweredByHook(first, stored);
      expectAnsweredByHook(second, stored);
      expect(first.json().choices[0].message.content).toBe('answer #1 to primed question');
      expect(handled).toHaveLength(0);
      expect(provider.calls).toBe(1);
    });

    it('charges nothing for a hit: x-llm-hub-cost-usd is 0 for a priced model', async () => {
      const { app, hub } = await setup();
      const stored = await prime(hub, chat('priced question'));
      const response = await post(app, chat('priced question'));
      expectAnsweredByHook(response, stored);
      expect(response.headers['x-llm-hub-cost-usd']).toBe('0');
    });

    it('hits for a body that differs only in fields the key ignores, and for an alias of the same target', async () => {
      const { app, hub, handled } = await setup();
      const stored = await prime(hub, chat('ignored fields'));
      expectAnsweredByHook(await post(app, chat('ignored fields', { user: 'someone', stream: false, timeout: 5000, provider: 'fake' })), stored);
      expectAnsweredByHook(await post(app, { model: 'smart', messages: [{ role: 'user', content: 'ignored fields' }] }), stored);
      expect(handled).toHaveLength(0);
    });

    it('with gateway keys, answers only the tenant that stored the answer', async () => {
      const { app, hub, handled } = await setup({ apiKeys: [KEY_A, KEY_B] });
      const stored = await prime(hub, chat('tenant a question'), tenantOf(KEY_A));
      expectAnsweredByHook(await post(app, chat('tenant a question'), { authorization: `Bearer ${KEY_A}` }), stored);
      expect(handled).toHaveLength(0);

      // Another valid key is another tenant: a miss, handed on with its own tenant set.
      expectReachedHandler(await post(app, chat('tenant a question'), { authorization: `Bearer ${KEY_B}` }));
      expect(handled).toHaveLength(1);
      expect(handled[0].tenant).toBe(tenantOf(KEY_B));
      expect(handled[0].prepared?.state).toBeInstanceOf(Map);
    });

    it('is measured like any other request: one request log line with cache HIT, the request id and the served-by fields', async () => {
      const { app, hub, lines } = await setup();
      await prime(hub, chat('logged hit'));
      const response = await postOverHttp(app, chat('logged hit'), { 'x-request-id': 'fast-hit-1' });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-llm-hub-cache')).toBe('HIT');
      const logged = await linesWhen(lines, 1);
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({
        requestId: 'fast-hit-1',
        method: 'POST',
        route: CHAT,
        status: 200,
        cache: 'HIT',
        provider: 'fake',
        model: 'm',
        target: 'fake/m',
        attempts: 0,
        stream: false,
        costUsd: 0,
        promptTokens: 4,
        completionTokens: 6,
      });
      expect(logged[0].savedUsd).toBeCloseTo((4 * 1 + 6 * 2) / 1_000_000, 12);
      expect(logged[0].messages).toBeUndefined();
    });

    it('with content logging, the hit line carries the prompt and the stored answer', async () => {
      const { app, hub, lines } = await setup({ logContent: true });
      await prime(hub, chat('logged with content'));
      expect((await postOverHttp(app, chat('logged with content'))).headers.get('x-llm-hub-cache')).toBe('HIT');
      const logged = await linesWhen(lines, 1);
      expect(logged).toHaveLength(1);
      expect(logged[0].cache).toBe('HIT');
      expect(logged[0].messages).toEqual([{ role: 'user', content: 'logged with content' }]);
      expect(logged[0].answer).toEqual([{ role: 'assistant', content: 'answer #1 to logged with content' }]);
    });
  });

  describe('declines, leaving the request to the route handler', () => {
    it('while draining, even for a stored answer', async () => {
      const { app, hub, tracker, handled } = await setup();
      const stored = await prime(hub, chat('drain me'));
      tracker.draining = true;
      expectReachedHandler(await post(app, chat('drain me')));
      expect(handled).toHaveLength(1);
      expect(handled[0].prepared).toBeUndefined();
      tracker.draining = false;
      expectAnsweredByHook(await post(app, chat('drain me')), stored);
      expect(handled).toHaveLength(1);
    });

    it.each([
      ['cache-control', 'no-cache'],
      ['cache-control', 'max-age=60'],
      ['x-llm-hub-cache-ttl', '60'],
      ['x-llm-hub-cache-ttl', 'abc'],
      ['x-llm-hub-timeout-ms', '5000'],
      ['x-llm-hub-timeout-ms', '-1'],
    ])('with a %s header (%p), without validating the body', async (header, value) => {
      const { app, hub, handled, provider } = await setup();
      await prime(hub, chat('header question'));
      expectReachedHandler(await post(app, chat('header question'), { [header]: value }));
      expect(handled).toHaveLength(1);
      expect(handled[0].prepared).toBeUndefined();
      expect(provider.calls).toBe(1);
    });

    it.each([
      ['no Authorization header', {}],
      ['a wrong key', { authorization: 'Bearer sk-not-a-gateway-key' }],
      ['a Basic credential', { authorization: `Basic ${Buffer.from(KEY_A).toString('base64')}` }],
    ])('when gateway keys are configured and the request has %s, even though the answer is stored for a valid key', async (_, headers) => {
      const { app, hub, handled } = await setup({ apiKeys: [KEY_A] });
      await prime(hub, chat('keyed question'), tenantOf(KEY_A));
      expectReachedHandler(await post(app, chat('keyed question'), headers as Record<string, string>));
      expect(handled).toHaveLength(1);
      expect(handled[0].prepared).toBeUndefined();
      expect(handled[0].tenant).toBeUndefined();
    });

    it.each([
      ['user: 5', { user: 5 }],
      ['stream_options without stream', { stream_options: { include_usage: true } }],
      ['timeout: -1', { timeout: -1 }],
      ["provider: ''", { provider: '' }],
    ])('for an invalid body (%s) whose only difference from a stored request is in fields the key ignores', async (_, extra) => {
      const { app, hub, handled } = await setup();
      await prime(hub, chat('invalid body question'));
      expectReachedHandler(await post(app, chat('invalid body question', extra)));
      expect(handled).toHaveLength(1);
      expect(handled[0].prepared).toBeUndefined();
    });

    it.each([
      ['empty messages', { model: 'fake/m', messages: [] }],
      ['an out-of-range temperature', chat('x', { temperature: 3 })],
      ['no model', { messages: [{ role: 'user', content: 'x' }] }],
      ['an unknown role', { model: 'fake/m', messages: [{ role: 'robot', content: 'x' }] }],
      ['a JSON array', [chat('x')]],
    ])('for an invalid body (%s)', async (_, body) => {
      const { app, handled } = await setup();
      expectReachedHandler(await post(app, body));
      expect(handled).toHaveLength(1);
      expect(handled[0].prepared).toBeUndefined();
    });

    it('for stream: true, handing on the validated body without a cache state', async () => {
      const { app, hub, handled, provider } = await setup();
      await prime(hub, chat('stream question'));
      expectReachedHandler(await post(app, chat('stream question', { stream: true, stream_options: { include_usage: true }, temperature: null })));
      expect(handled).toHaveLength(1);
      const prepared = handled[0].prepared;
      expect(prepared).toBeDefined();
      expect(prepared!.state).toBeUndefined();
      // Validated and canonical: nulls dropped, known fields kept.
      expect(prepared!.body).toEqual({ model: 'fake/m', messages: [{ role: 'user', content: 'stream question' }], stream: true, stream_options: { include_usage: true } });
      expect(provider.calls).toBe(1);
    });

    it('for an unknown model (a routing error), without a prepared body', async () => {
      const { app, handled } = await setup();
      expectReachedHandler(await post(app, { model: 'nobody/knows', messages: [{ role: 'user', content: 'who?' }] }));
      expectReachedHandler(await post(app, { model: 'no-such-model', messages: [{ role: 'user', content: 'who?' }] }));
      expect(handled).toHaveLength(2);
      expect(handled.map((h) => h.prepared)).toEqual([undefined, undefined]);
    });

    it('on a miss, handing on the validated body and the state whose key the hub call then reuses', async () => {
      const { app, hub, handled, provider } = await setup();
      expectReachedHandler(await post(app, chat('a fresh question', { max_tokens: 50, seed: null })));
      expect(handled).toHaveLength(1);
      expect(provider.calls).toBe(0);
      const prepared = handled[0].prepared!;
      expect(prepared.body).toEqual({ model: 'fake/m', messages: [{ role: 'user', content: 'a fresh question' }], max_tokens: 50 });
      expect(prepared.state).toBeInstanceOf(Map);
      expect(prepared.state!.size).toBeGreaterThan(0);

      // What the controller does next: the hub call with this body and state stores the answer
      // under the key the next lookup computes, so the same request is then a hit.
      const meta: HubCallMeta = {};
      const answer = JSON.parse(JSON.stringify(await hub.complete(prepared.body, { state: prepared.state, meta })));
      expect(meta.cache).toBe('MISS');
      expect(provider.calls).toBe(1);
      expectAnsweredByHook(await post(app, chat('a fresh question', { max_tokens: 50 })), answer);
      expect(handled).toHaveLength(1);
      expect(provider.calls).toBe(1);
    });

    it('on a miss for a different request (another prompt, or a field the key keeps)', async () => {
      const { app, hub, handled } = await setup();
      await prime(hub, chat('kept fields', { temperature: 0.2 }));
      expectReachedHandler(await post(app, chat('kept fields', { temperature: 0.9 })));
      expectReachedHandler(await post(app, chat('kept fields')));
      expectReachedHandler(await post(app, chat('other prompt', { temperature: 0.2 })));
      expect(handled).toHaveLength(3);
      expect(handled.every((h) => h.prepared?.state instanceof Map)).toBe(true);
    });

    it('on other routes and methods', async () => {
      const { app, hub, handled } = await setup();
      await prime(hub, chat('other routes'));
      expectReachedHandler(await app.inject({ method: 'GET', url: CHAT }));
      expectReachedHandler(await app.inject({ method: 'POST', url: '/v1/embeddings', payload: chat('other routes') }));
      expectReachedHandler(await app.inject({ method: 'POST', url: '/api/chat', payload: chat('other routes') }));
      expect(handled.map((h) => `${h.method} ${h.url}`)).toEqual([`GET ${CHAT}`, 'POST /v1/embeddings', 'POST /api/chat']);
      expect(handled.every((h) => h.prepared === undefined)).toBe(true);
    });

    it('a declined request is logged by the observer as the handler answered it, not as a hit', async () => {
      const { app, lines } = await setup();
      expect((await postOverHttp(app, chat('a logged miss'), { 'x-request-id': 'fast-miss-1' })).status).toBe(299);
      expect(await linesWhen(lines, 1)).toEqual([expect.objectContaining({ requestId: 'fast-miss-1', status: 299, cache: 'BYPASS' })]);
    });
  });
});
