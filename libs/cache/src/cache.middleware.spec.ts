import { HubError, HubErrors, upstreamHttpError, type ChatCompletion, type ChatCompletionChunk } from '@llm-connector-hub/core';
import { ConnectorHub, type HubCallMeta, type HubCallOptions, type HubRequest } from '@llm-connector-hub/hub';
import { ScriptedProvider, gate, rejectionOf } from '@llm-connector-hub/testing';
import { CacheEvents, type CacheEvent } from './cache-events';
import type { CacheMiddlewareOptions } from './cache-options';
import { CacheMiddleware } from './cache.middleware';
import { StreamAssembler } from './stream-assembly';
import { FakeRedis } from './redis.spec-helpers';

/** Every Redis-type CacheMiddleware built in this file talks to `mockRedis.current`. */
const mockRedis: { current?: FakeRedis } = {};
jest.mock('./redis-connection', () => ({
  createRedisClient: () => {
    if (!mockRedis.current) throw new Error('test setup: no FakeRedis');
    return mockRedis.current;
  },
  masterConnections: (client: unknown) => [client],
}));

/** Lets every pending promise chain (and timers of 0 ms) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Polls a condition on the fakes (every few ms, up to 5 s). */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Deterministic (temperature 0), so cacheable under the default policy. */
const QUESTION: HubRequest = { model: 'openai/gpt-x', temperature: 0, messages: [{ role: 'user', content: 'What is the capital of France?' }] };

interface Setup {
  hub: ConnectorHub;
  openai: ScriptedProvider;
  anthropic: ScriptedProvider;
  cache: CacheMiddleware;
  events: CacheEvent[];
}

function setup(options: Partial<CacheMiddlewareOptions> = {}, providers?: { openai: ScriptedProvider; anthropic: ScriptedProvider }): Setup {
  const openai = providers?.openai ?? new ScriptedProvider('openai');
  const anthropic = providers?.anthropic ?? new ScriptedProvider('anthropic');
  const events: CacheEvent[] = [];
  const channel = new CacheEvents();
  channel.on((event) => events.push(event));
  const cache = new CacheMiddleware({ type: 'memory', ...options }, channel);
  const hub = new ConnectorHub({
    aliases: { fast: 'openai/gpt-x', resilient: ['openai/gpt-x', 'anthropic/claude'] },
  })
    .registerProvider('openai', openai)
    .registerProvider('anthropic', anthropic);
  hub.use(cache);
  return { hub, openai, anthropic, cache, events };
}

/** An answer; its id names the upstream call that made it (the ScriptedProvider's `chatcmpl-<n>`). */
interface Answer {
  id: string;
  content: string | null;
  meta: HubCallMeta;
  completion: ChatCompletion;
}

async function ask(hub: ConnectorHub, options: HubCallOptions = {}, request: HubRequest = QUESTION): Promise<Answer> {
  const meta: HubCallMeta = {};
  const completion = await hub.complete({ ...request, messages: [...request.messages] }, { ...options, meta });
  return { id: completion.id, content: completion.content, meta, completion };
}

interface StreamAnswer {
  id: string | undefined;
  content: string;
  chunks: ChatCompletionChunk[];
  meta: HubCallMeta;
}

async function askStream(hub: ConnectorHub, options: HubCallOptions = {}, request: HubRequest = QUESTION): Promise<StreamAnswer> {
  const meta: HubCallMeta = {};
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of hub.streamComplete({ ...request, messages: [...request.messages], stream: true }, { ...options, meta })) {
    chunks.push(chunk);
  }
  return { id: chunks[0]?.id, content: chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join(''), chunks, meta };
}

/** The promise's outcome, or 'pending' if it has not settled within `ms` (a generous bound). */
async function outcomeWithin<T>(promise: Promise<T>, ms: number): Promise<{ value?: T; error?: unknown } | 'pending'> {
  let timer: NodeJS.Timeout | undefined;
  const pending = new Promise<'pending'>((resolve) => (timer = setTimeout(() => resolve('pending'), ms)));
  try {
    return await Promise.race([promise.then((value) => ({ value }), (error: unknown) => ({ error })), pending]);
  } finally {
    clearTimeout(timer);
  }
}

/** A fake clock for Date.now (what the cache's TTLs and Keyv's expiry read). */
function fakeClock(): { advance(ms: number): void } {
  let now = Date.now();
  jest.spyOn(Date, 'now').mockImplementation(() => now);
  return {
    advance(ms: number) {
      now += ms;
    },
  };
}

afterEach(() => {
  jest.restoreAllMocks();
});

describe('CacheMiddleware', () => {
  describe('hits and misses', () => {
    it('answers an identical second request from the cache, naming the target that answered first', async () => {
      const { hub, openai } = setup();
      const first = await ask(hub);
      expect(first.meta).toMatchObject({ cache: 'MISS', provider: 'openai', model: 'gpt-x', target: 'openai/gpt-x', attempts: 1 });

      const second = await ask(hub);
      expect(openai.calls.length).toBe(1);
      expect(second.content).toBe('openai:gpt-x');
      expect(second.id).toBe('chatcmpl-1');
      expect(second.completion).toEqual(first.completion);
      expect(second.meta).toMatchObject({ cache: 'HIT', provider: 'openai', model: 'gpt-x', target: 'openai/gpt-x', attempts: 0 });
      expect(second.meta.upstreamMs).toBeUndefined();
    });

    it('a different question is a miss', async () => {
      const { hub, openai } = setup();
      await ask(hub);
      const other = await ask(hub, {}, { ...QUESTION, messages: [{ role: 'user', content: 'And of Spain?' }] });
      expect(other.meta.cache).toBe('MISS');
      expect(openai.calls.length).toBe(2);
    });

    it('an alias and the target it names share entries; an alias with a fallback list does not', async () => {
      const { hub, openai } = setup();
      await ask(hub, {}, { ...QUESTION, model: 'fast' });
      const explicit = await ask(hub);
      expect(explicit.meta).toMatchObject({ cache: 'HIT', target: 'openai/gpt-x' });
      expect(openai.calls.length).toBe(1);

      const withFallback = await ask(hub, {}, { ...QUESTION, model: 'resilient' });
      expect(withFallback.meta.cache).toBe('MISS');
      expect(openai.calls.length).toBe(2);
    });

    it('never serves one tenant the answer stored for another', async () => {
      const { hub, openai } = setup();
      const a = await ask(hub, { tenant: 'tenant-a' });
      const b = await ask(hub, { tenant: 'tenant-b' });
      expect(b.meta.cache).toBe('MISS');
      expect(b.id).not.toBe(a.id);
      expect(openai.calls.length).toBe(2);
      const untagged = await ask(hub);
      expect(untagged.meta.cache).toBe('MISS');

      const again = await ask(hub, { tenant: 'tenant-a' });
      expect(again.meta.cache).toBe('HIT');
      expect(again.id).toBe(a.id);
    });

    it('does not store errors: the next identical request goes upstream', async () => {
      const { hub, openai } = setup();
      openai.script = (n) => (n === 1 ? { fail: upstreamHttpError('openai', 500, 'boom') } : undefined);
      const error = await rejectionOf(ask(hub));
      expect(error).toBeInstanceOf(HubError);
      expect((error as HubError).status).toBe(502);

      const retry = await ask(hub);
      expect(retry.meta.cache).toBe('MISS');
      expect(retry.id).toBe('chatcmpl-2');
      expect(openai.calls.length).toBe(2);
      expect((await ask(hub)).meta.cache).toBe('HIT');
    });

    it('embeddings: a miss, then a hit with the same vectors', async () => {
      const { hub, openai } = setup();
      const request = { model: 'openai/text-embed', input: ['a', 'b'] };
      const firstMeta: HubCallMeta = {};
      const first = await hub.embed({ ...request }, { meta: firstMeta });
      const secondMeta: HubCallMeta = {};
      const second = await hub.embed({ ...request }, { meta: secondMeta });
      expect(openai.callsOf('embed')).toBe(1);
      expect(firstMeta.cache).toBe('MISS');
      expect(secondMeta).toMatchObject({ cache: 'HIT', target: 'openai/text-embed', attempts: 0 });
      expect(second).toEqual(first);

      // A chat request with the same model is not served an embedding.
      const chat = await ask(hub, {}, { model: 'openai/text-embed', temperature: 0, messages: [{ role: 'user', content: 'a' }] });
      expect(chat.meta.cache).toBe('MISS');
    });
  });

  describe('cache directives', () => {
    it('no-cache bypasses the lookup, goes upstream, and its fresh answer replaces the stored one', async () => {
      const { hub, openai } = setup();
      const first = await ask(hub);
      const bypass = await ask(hub, { cache: { noCache: true } });
      expect(bypass.meta).toMatchObject({ cache: 'BYPASS', attempts: 1 });
      expect(openai.calls.length).toBe(2);
      expect(bypass.id).not.toBe(first.id);

      const after = await ask(hub);
      expect(after.meta.cache).toBe('HIT');
      expect(after.id).toBe(bypass.id);
      expect(openai.calls.length).toBe(2);
    });

    it('does not store an answer larger than maxEntryBytes', async () => {
      const { hub, openai } = setup({ maxEntryBytes: 530 });
      expect((await ask(hub)).meta.cache).toBe('MISS');
      expect((await ask(hub)).meta.cache).toBe('MISS');
      expect(openai.calls.length).toBe(2);
    });

    it('no-store answers but does not store: the next identical request is a miss', async () => {
      const { hub, openai } = setup();
      const first = await ask(hub, { cache: { noStore: true } });
      expect(first.meta.cache).toBe('MISS');
      const second = await ask(hub);
      expect(second.meta.cache).toBe('MISS');
      expect(openai.calls.length).toBe(2);
      expect((await ask(hub)).meta.cache).toBe('HIT');
    });

    it('keeps an answer for the configured ttl', async () => {
      const clock = fakeClock();
      const { hub, openai } = setup({ ttl: 60 });
      await ask(hub);
      clock.advance(59_000);
      expect((await ask(hub)).meta.cache).toBe('HIT');
      clock.advance(2_000);
      expect((await ask(hub)).meta.cache).toBe('MISS');
      expect(openai.calls.length).toBe(2);
    });

    it("honours a request's own ttl", async () => {
      const clock = fakeClock();
      const { hub } = setup({ ttl: 3600 });
      await ask(hub, { cache: { ttlSeconds: 1 } });
      clock.advance(900);
      expect((await ask(hub)).meta.cache).toBe('HIT');
      clock.advance(200);
      expect((await ask(hub)).meta.cache).toBe('MISS');
    });

    it("caps a request's own ttl at maxTtl", async () => {
      const clock = fakeClock();
      const { hub } = setup({ ttl: 5, maxTtl: 10 });
      await ask(hub, { cache: { ttlSeconds: 1000 } });
      clock.advance(9_000);
      expect((await ask(hub)).meta.cache).toBe('HIT');
      clock.advance(2_000);
      expect((await ask(hub)).meta.cache).toBe('MISS');
    });
  });

  describe('native requests (the client body in its own dialect)', () => {
    const native = { dialect: 'anthropic-messages', body: { model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'What is the capital of France?' }] }, headers: {} };

    it('neither answers them from the cache nor stores their answers, plain or streamed, whoever opts in', async () => {
      const { hub, openai, events } = setup({ cacheable: 'all' });
      const stored = await ask(hub);
      expect(stored.meta.cache).toBe('MISS');
      const first = await ask(hub, { native });
      const second = await ask(hub, { native, cache: { maxAgeSeconds: 60, ttlSeconds: 60 } });
      const streamed = await askStream(hub, { native });
      expect([first.meta.cache, second.meta.cache, streamed.meta.cache]).toEqual(['UNCACHEABLE', 'UNCACHEABLE', 'UNCACHEABLE']);
      expect(new Set([stored.id, first.id, second.id, streamed.id]).size).toBe(4);
      expect(openai.calls.length).toBe(4);
      expect(events.filter((event) => event.type === 'lookup').map((event) => event.type === 'lookup' && event.result)).toEqual(['MISS', 'UNCACHEABLE', 'UNCACHEABLE', 'UNCACHEABLE']);
      expect(events.filter((event) => event.type === 'stored')).toHaveLength(1);
    });
  });

  describe('streams', () => {
    it('stores a completed stream as the completion it adds up to', async () => {
      const { hub, openai } = setup();
      const streamed = await askStream(hub);
      expect(streamed.content).toBe('openai:gpt-x:Hello!');
      expect(streamed.id).toBe('chatcmpl-1');
      expect(streamed.meta.cache).toBe('MISS');

      const later = await ask(hub);
      expect(openai.calls.length).toBe(1);
      expect(later.meta).toMatchObject({ cache: 'HIT', target: 'openai/gpt-x', attempts: 0 });
      expect(later.completion).toEqual({
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1_700_000_000,
        model: 'gpt-x',
        choices: [{ index: 0, message: { role: 'assistant', content: 'openai:gpt-x:Hello!' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
      });
    });

    it('serves a stored non-stream answer to a stream request as replayed chunks', async () => {
      const { hub, openai } = setup();
      const first = await ask(hub);
      const streamed = await askStream(hub);
      expect(openai.callsOf('stream')).toBe(0);
      expect(streamed.meta).toMatchObject({ cache: 'HIT', target: 'openai/gpt-x', attempts: 0 });
      expect(streamed.content).toBe(first.content);
      expect(streamed.id).toBe(first.id);
      expect(streamed.chunks.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true);
      expect(streamed.chunks.some((chunk) => chunk.choices[0]?.finish_reason === 'stop')).toBe(true);
      expect(streamed.chunks.at(-1)).toMatchObject({ choices: [], usage: first.completion.usage });
    });

    it('does not store a stream cut mid-way', async () => {
      const { hub, openai } = setup();
      openai.script = () => ({ fail: HubErrors.streamInterrupted('openai', 'connection reset'), afterChunks: 1 });
      const error = await rejectionOf(askStream(hub));
      expect((error as HubError).code).toBe('upstream_stream_interrupted');

      openai.script = () => undefined;
      const next = await ask(hub);
      expect(next.meta.cache).toBe('MISS');
      expect(openai.calls.length).toBe(2);
    });

    it('does not store a stream whose consumer stopped early', async () => {
      const { hub, openai } = setup();
      let received = 0;
      for await (const chunk of hub.streamComplete({ ...QUESTION, stream: true })) {
        received += chunk.choices.length;
        break;
      }
      expect(received).toBe(1);

      const next = await askStream(hub);
      expect(next.meta.cache).toBe('MISS');
      expect(next.id).toBe('chatcmpl-2');
      expect(openai.calls.length).toBe(2);
    });

    it('passes a no-store stream on without assembling it', async () => {
      const { hub } = setup();
      const add = jest.spyOn(StreamAssembler.prototype, 'add');
      const streamed = await askStream(hub, { cache: { noStore: true } });
      expect(streamed.content).toBe('openai:gpt-x:Hello!');
      expect(add).not.toHaveBeenCalled();
    });

    it('stops assembling a stream once it passes maxEntryBytes, serves it whole and does not store it', async () => {
      // 512 bytes of overhead plus the first chunk's 13 characters (2 bytes each) is past 530.
      const { hub, openai } = setup({ maxEntryBytes: 530 });
      const add = jest.spyOn(StreamAssembler.prototype, 'add');
      const streamed = await askStream(hub);
      expect(streamed.content).toBe('openai:gpt-x:Hello!');
      expect(add).toHaveBeenCalledTimes(1);
      expect((await ask(hub)).meta.cache).toBe('MISS');
      expect(openai.calls.length).toBe(2);
    });

    it('sends the followers of a stream too large to keep upstream at once, side by side', async () => {
      const { hub, openai } = setup({ maxEntryBytes: 530 });
      const first = gate();
      const second = gate(); // holds the followers' own calls
      openai.script = (n) => ({ until: (n === 1 ? first : second).promise });
      const leader = askStream(hub);
      await settle();
      const followers = Array.from({ length: 3 }, () => ask(hub));
      await settle();
      expect(openai.calls.length).toBe(1);
      first.open();
      await leader;
      await settle();
      // Not one follower leading and the others waiting for it, only to find the same.
      expect(openai.calls.length).toBe(4);
      second.open();
      const answers = await Promise.all(followers);
      expect(answers.map((answer) => answer.meta.cache)).toEqual(['MISS', 'MISS', 'MISS']);
    });

    it('a stream that ends without any chunk ends cleanly, is not stored, and strands no follower', async () => {
      const { hub, openai } = setup();
      const release = gate();
      openai.script = (n) => ({ until: release.promise, end: n === 1 });
      const leader = askStream(hub);
      await settle();
      const follower = ask(hub);
      await settle();
      release.open();
      const led = await leader;
      expect(led.chunks).toEqual([]);
      const followed = await outcomeWithin(follower, 2000);
      expect(followed).not.toBe('pending');
      expect(followed).toMatchObject({ value: { id: 'chatcmpl-2', meta: { cache: 'MISS' } } });
    });
  });

  describe('coalescing', () => {
    it('50 concurrent identical requests make one upstream call and all get its answer', async () => {
      const { hub, openai, events } = setup();
      const release = gate();
      openai.script = () => ({ until: release.promise });
      const answers = Array.from({ length: 50 }, () => ask(hub));
      await settle();
      release.open();
      const results = await Promise.all(answers);

      expect(openai.calls.length).toBe(1);
      expect(new Set(results.map((result) => result.id))).toEqual(new Set(['chatcmpl-1']));
      expect(results.filter((result) => result.meta.cache === 'HIT')).toHaveLength(49);
      expect(results.filter((result) => result.meta.cache === 'MISS')).toHaveLength(1);
      for (const result of results.filter((r) => r.meta.cache === 'HIT')) {
        expect(result.meta).toMatchObject({ provider: 'openai', target: 'openai/gpt-x', attempts: 0 });
      }
      expect(events.filter((event) => event.type === 'coalesced')).toEqual(Array(49).fill({ type: 'coalesced', scope: 'local' }));
      // And the answer was stored: a later request is a plain hit.
      expect((await ask(hub)).meta.cache).toBe('HIT');
      expect(openai.calls.length).toBe(1);
    });

    it('50 concurrent identical requests without a gate still make one upstream call', async () => {
      const { hub, openai } = setup();
      const results = await Promise.all(Array.from({ length: 50 }, () => ask(hub)));
      expect(openai.calls.length).toBe(1);
      expect(new Set(results.map((result) => result.id)).size).toBe(1);
    });

    it('20 concurrent identical stream requests make one upstream call and all get the same content', async () => {
      const { hub, openai } = setup();
      const release = gate();
      openai.script = () => ({ until: release.promise });
      const streams = Array.from({ length: 20 }, () => askStream(hub));
      await settle();
      release.open();
      const results = await Promise.all(streams);
      expect(openai.calls.length).toBe(1);
      expect(new Set(results.map((result) => result.id))).toEqual(new Set(['chatcmpl-1']));
      expect(results.filter((result) => result.meta.cache === 'HIT')).toHaveLength(19);
    });

    it('a stream leader serves concurrent non-stream followers the assembled completion', async () => {
      const { hub, openai } = setup();
      const release = gate();
      openai.script = () => ({ until: release.promise });
      const leader = askStream(hub);
      await settle();
      const followers = Array.from({ length: 5 }, () => ask(hub));
      await settle();
      release.open();
      const [led, ...followed] = await Promise.all([leader, ...followers]);
      expect(openai.calls.length).toBe(1);
      for (const result of followed) {
        expect(result.content).toBe(led.content);
        expect(result.completion.choices[0].finish_reason).toBe('stop');
        expect(result.meta.cache).toBe('HIT');
      }
    });

    it("gives followers the leader's upstream error, without calling upstream again", async () => {
      const { hub, openai } = setup();
      const release = gate();
      openai.script = (n) => ({ until: release.promise, fail: n === 1 ? upstreamHttpError('openai', 429, 'slow down', 3) : undefined });
      const calls = Array.from({ length: 5 }, () => rejectionOf(ask(hub)));
      await settle();
      release.open();
      const errors = await Promise.all(calls);
      expect(openai.calls.length).toBe(1);
      for (const error of errors) expect(error).toMatchObject({ status: 429, code: 'upstream_rate_limited' });
    });

    it("does not fail followers when the leader's caller leaves: they go upstream and succeed", async () => {
      const { hub, openai } = setup();
      const release = gate();
      openai.script = () => ({ until: release.promise });
      const controller = new AbortController();
      const leader = rejectionOf(ask(hub, { signal: controller.signal }));
      await settle();
      const followers = Array.from({ length: 5 }, () => ask(hub));
      await settle();
      expect(openai.calls.length).toBe(1);

      controller.abort();
      expect(await leader).toMatchObject({ status: 499, code: 'client_closed_request' });
      await settle();
      release.open();
      const results = await Promise.all(followers);
      for (const result of results) expect(result.content).toBe('openai:gpt-x');
      // One of them leads again; the others wait for it instead of each calling upstream.
      expect(openai.calls.length).toBe(2);
      expect(new Set(results.map((result) => result.id))).toEqual(new Set(['chatcmpl-2']));
    });

    it("does not fail followers with the leader's own (shorter) timeout", async () => {
      const { hub, openai } = setup();
      const release = gate();
      openai.script = () => ({ until: release.promise });
      const leader = rejectionOf(ask(hub, {}, { ...QUESTION, timeout: 50 }));
      await settle();
      const follower = ask(hub);
      expect(await leader).toMatchObject({ code: 'upstream_timeout' });
      await settle();
      release.open();
      const followed = await follower;
      expect(followed.id).toBe('chatcmpl-2');
      expect(openai.calls.length).toBe(2);
    });

    it('a stream leader whose consumer stops early does not fail its followers', async () => {
      const { hub, openai } = setup();
      const release = gate();
      openai.script = () => ({ until: release.promise });
      const iterator = hub.streamComplete({ ...QUESTION, stream: true })[Symbol.asyncIterator]();
      const firstChunk = iterator.next();
      await settle();
      const follower = ask(hub);
      await settle();
      release.open();
      expect((await firstChunk).done).toBe(false);
      await iterator.return?.(undefined);
      const followed = await follower;
      expect(followed.id).toBe('chatcmpl-2');
      expect(openai.calls.length).toBe(2);
    });

    it("rejects a follower promptly when its own signal aborts while it waits, and leaves the leader alone", async () => {
      const { hub, openai } = setup();
      const release = gate();
      openai.script = () => ({ until: release.promise });
      const leader = ask(hub);
      await settle();
      const controller = new AbortController();
      const follower = ask(hub, { signal: controller.signal });
      await settle();
      controller.abort();
      const outcome = await outcomeWithin(follower, 1000);
      expect(outcome).not.toBe('pending');
      expect(outcome).toMatchObject({ error: { status: 499, code: 'client_closed_request' } });

      release.open();
      expect((await leader).meta.cache).toBe('MISS');
      expect(openai.calls.length).toBe(1);
    });

    it('no-store requests are not coalesced onto and do not make others wait', async () => {
      const { hub, openai } = setup();
      const release = gate();
      openai.script = () => ({ until: release.promise });
      const a = ask(hub, { cache: { noStore: true } });
      await settle();
      const b = ask(hub);
      await settle();
      expect(openai.calls.length).toBe(2);
      release.open();
      const [first, second] = await Promise.all([a, b]);
      expect(first.meta.cache).toBe('MISS');
      expect(second.meta.cache).toBe('MISS');
    });

    it('can be switched off', async () => {
      const { hub, openai } = setup({ coalescing: { enabled: false } });
      const release = gate();
      openai.script = () => ({ until: release.promise });
      const calls = Array.from({ length: 3 }, () => ask(hub));
      await settle();
      release.open();
      await Promise.all(calls);
      expect(openai.calls.length).toBe(3);
    });
  });

  describe('policy: what is cacheable', () => {
    /** "Give me a random name": sampled at the provider's default temperature. */
    const SAMPLED: HubRequest = { model: 'openai/gpt-x', temperature: 0.7, messages: [{ role: 'user', content: 'Give me a random name' }] };

    it('sends every sampled request upstream, neither looked up nor stored, and says UNCACHEABLE', async () => {
      const { hub, openai, events } = setup();
      const first = await ask(hub, {}, SAMPLED);
      const second = await ask(hub, {}, SAMPLED);
      const unset = await ask(hub, {}, { ...SAMPLED, temperature: undefined });
      expect(openai.calls.length).toBe(3);
      expect(second.id).not.toBe(first.id);
      for (const answer of [first, second, unset]) expect(answer.meta).toMatchObject({ cache: 'UNCACHEABLE', attempts: 1 });
      expect(events.filter((event) => event.type === 'lookup')).toEqual(Array(3).fill({ type: 'lookup', result: 'UNCACHEABLE', kind: 'chat' }));
      expect(events.filter((event) => event.type === 'stored')).toEqual([]);
    });

    it('does not coalesce identical sampled requests: each caller gets its own answer', async () => {
      const { hub, openai } = setup();
      const release = gate();
      openai.script = () => ({ until: release.promise });
      const calls = Array.from({ length: 3 }, () => ask(hub, {}, SAMPLED));
      await settle();
      expect(openai.calls.length).toBe(3);
      release.open();
      expect(new Set((await Promise.all(calls)).map((answer) => answer.id)).size).toBe(3);
    });

    it('passes a sampled stream on without assembling it, and does not store it', async () => {
      const { hub, openai } = setup();
      const add = jest.spyOn(StreamAssembler.prototype, 'add');
      const first = await askStream(hub, {}, SAMPLED);
      const second = await askStream(hub, {}, SAMPLED);
      expect(first.content).toBe('openai:gpt-x:Hello!');
      expect(second.meta.cache).toBe('UNCACHEABLE');
      expect(openai.calls.length).toBe(2);
      expect(add).not.toHaveBeenCalled();
    });

    it('n > 1 is not cached by default, even at temperature 0', async () => {
      const { hub, openai } = setup();
      await ask(hub, {}, { ...QUESTION, n: 2 });
      expect((await ask(hub, {}, { ...QUESTION, n: 2 })).meta.cache).toBe('UNCACHEABLE');
      expect(openai.calls.length).toBe(2);
    });

    it('a seed makes a sampled request cacheable', async () => {
      const { hub, openai } = setup();
      await ask(hub, {}, { ...SAMPLED, seed: 7 });
      expect((await ask(hub, {}, { ...SAMPLED, seed: 7 })).meta.cache).toBe('HIT');
      expect(openai.calls.length).toBe(1);
    });

    it('max-age opts a sampled request in: a stored answer younger than max-age answers it, an older one does not', async () => {
      const clock = fakeClock();
      const { hub, openai } = setup();
      const first = await ask(hub, { cache: { maxAgeSeconds: 60 } }, SAMPLED);
      expect(first.meta.cache).toBe('MISS');
      clock.advance(59_000);
      const young = await ask(hub, { cache: { maxAgeSeconds: 60 } }, SAMPLED);
      expect(young).toMatchObject({ id: first.id, meta: { cache: 'HIT' } });
      // The same stored answer is too old for a caller that accepts 30 s: it goes upstream, and its answer replaces the stored one.
      const strict = await ask(hub, { cache: { maxAgeSeconds: 30 } }, SAMPLED);
      expect(strict.meta.cache).toBe('MISS');
      expect(strict.id).not.toBe(first.id);
      expect(await ask(hub, { cache: { maxAgeSeconds: 1 } }, SAMPLED)).toMatchObject({ id: strict.id, meta: { cache: 'HIT' } });
      // Without max-age the sampled request is not cacheable at all.
      expect((await ask(hub, {}, SAMPLED)).meta.cache).toBe('UNCACHEABLE');
      expect(openai.calls.length).toBe(3);
    });

    it('max-age=0: never answered from the cache, but the fresh answer is stored for others', async () => {
      const { hub, openai } = setup();
      await ask(hub, { cache: { maxAgeSeconds: 0 } }, SAMPLED);
      const again = await ask(hub, { cache: { maxAgeSeconds: 0 } }, SAMPLED);
      expect(again.meta.cache).toBe('MISS');
      expect(await ask(hub, { cache: { maxAgeSeconds: 60 } }, SAMPLED)).toMatchObject({ id: again.id, meta: { cache: 'HIT' } });
      expect(openai.calls.length).toBe(2);
    });

    it("a request's own TTL opts it in", async () => {
      const { hub, openai } = setup();
      await ask(hub, { cache: { ttlSeconds: 30 } }, SAMPLED);
      expect((await ask(hub, { cache: { ttlSeconds: 30 } }, SAMPLED)).meta.cache).toBe('HIT');
      expect(openai.calls.length).toBe(1);
    });

    it("cacheable 'all' caches every call as before, n > 1 included", async () => {
      const { hub, openai } = setup({ cacheable: 'all' });
      await ask(hub, {}, { ...SAMPLED, n: 3 });
      expect((await ask(hub, {}, { ...SAMPLED, n: 3 })).meta.cache).toBe('HIT');
      expect(openai.calls.length).toBe(1);
    });

    it('a model may opt in by the name the caller uses (here an alias), and only that name', async () => {
      const { hub, openai } = setup({ models: { fast: { cacheable: 'all' } } });
      await ask(hub, {}, { ...SAMPLED, model: 'fast' });
      expect((await ask(hub, {}, { ...SAMPLED, model: 'fast' })).meta.cache).toBe('HIT');
      expect((await ask(hub, {}, SAMPLED)).meta.cache).toBe('UNCACHEABLE');
      expect(openai.calls.length).toBe(2);
    });

    it('a model may opt out of cacheable all', async () => {
      const { hub, openai } = setup({ cacheable: 'all', models: { fast: { cacheable: 'deterministic' } } });
      await ask(hub, {}, { ...SAMPLED, model: 'fast' });
      expect((await ask(hub, {}, { ...SAMPLED, model: 'fast' })).meta.cache).toBe('UNCACHEABLE');
      expect(openai.calls.length).toBe(2);
    });
  });

  describe('events', () => {
    it('reports lookups with their result and tier, and stores with their size', async () => {
      const { hub, events } = setup();
      await ask(hub);
      await ask(hub);
      await ask(hub, { cache: { noCache: true } });
      await hub.embed({ model: 'openai/text-embed', input: 'x' });
      await settle();
      const lookups = events.filter((event) => event.type === 'lookup');
      expect(lookups).toEqual([
        { type: 'lookup', result: 'MISS', kind: 'chat' },
        { type: 'lookup', result: 'HIT', tier: 'memory', kind: 'chat' },
        { type: 'lookup', result: 'BYPASS', kind: 'chat' },
        { type: 'lookup', result: 'MISS', kind: 'embedding' },
      ]);
      const stored = events.filter((event) => event.type === 'stored');
      expect(stored).toHaveLength(3);
      for (const event of stored) expect(event).toMatchObject({ bytes: expect.any(Number) });
      for (const event of stored) expect((event as { bytes: number }).bytes).toBeGreaterThan(0);
    });
  });

  describe('with a shared Redis tier (two replicas, one Redis)', () => {
    const opened: CacheMiddleware[] = [];
    let redis: FakeRedis;

    beforeEach(() => {
      redis = new FakeRedis();
      mockRedis.current = redis;
    });

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((cache) => cache.close()));
      mockRedis.current = undefined;
    });

    function replicas(options: Partial<CacheMiddlewareOptions> = {}): [Setup, Setup] {
      const shared = { openai: new ScriptedProvider('openai'), anthropic: new ScriptedProvider('anthropic') };
      const redisOptions: Partial<CacheMiddlewareOptions> = { type: 'redis', redis: { url: 'redis://fake:6379', commandTimeoutMs: 200 }, ...options };
      const a = setup(redisOptions, shared);
      const b = setup(redisOptions, shared);
      opened.push(a.cache, b.cache);
      return [a, b];
    }

    it("answers from another replica's stored answer, naming its target", async () => {
      const [a, b] = replicas();
      const first = await ask(a.hub);
      await settle();
      const second = await ask(b.hub);
      expect(a.openai.calls.length).toBe(1);
      expect(second.id).toBe(first.id);
      expect(second.meta).toMatchObject({ cache: 'HIT', provider: 'openai', model: 'gpt-x', target: 'openai/gpt-x', attempts: 0 });
      expect(second.meta.upstreamMs).toBeUndefined();
      expect(b.events).toContainEqual({ type: 'lookup', result: 'HIT', tier: 'redis', kind: 'chat' });
    });

    it("coalesces across replicas: one waits for the other's answer instead of calling upstream", async () => {
      const [a, b] = replicas();
      const release = gate();
      a.openai.script = () => ({ until: release.promise });
      const leader = ask(a.hub);
      await settle();
      expect(a.openai.calls.length).toBe(1);
      const from = redis.log.length;
      const follower = ask(b.hub);
      // Until the follower lost the lock (SET NX) and polled the shared tier once: it is waiting.
      await until(() => {
        const log = redis.log.slice(from);
        return log.includes('set') && log.lastIndexOf('get') > log.indexOf('set');
      });
      release.open();
      const [led, followed] = await Promise.all([leader, follower]);
      expect(a.openai.calls.length).toBe(1);
      expect(followed.id).toBe(led.id);
      expect(followed.meta).toMatchObject({ cache: 'HIT', target: 'openai/gpt-x', attempts: 0 });
      expect(b.events).toContainEqual({ type: 'coalesced', scope: 'remote' });
      await settle();
      expect([...redis.data.keys()].filter((key) => key.endsWith(':lock'))).toEqual([]);
    });

    it('Redis only (no memory tier): a request that arrives while the answer is still being stored gets it', async () => {
      const [a] = replicas({ maxSize: 0 });
      await ask(a.hub);
      await settle();
      expect((await ask(a.hub)).meta.cache).toBe('HIT');

      // Now the store takes a while (here: until the command times out).
      redis.misbehave.set('set', 'hang');
      await ask(a.hub, {}, { ...QUESTION, messages: [{ role: 'user', content: 'slow store' }] });
      const during = await ask(a.hub, {}, { ...QUESTION, messages: [{ role: 'user', content: 'slow store' }] });
      expect(during.meta.cache).toBe('HIT');
      expect(during.id).toBe('chatcmpl-2');
      expect(a.openai.calls.length).toBe(2);
    });

    it('fails open when Redis fails: answers are served and the memory tier still works', async () => {
      const [a] = replicas();
      redis.misbehaveAll('fail');
      const first = await ask(a.hub);
      expect(first.meta.cache).toBe('MISS');
      await settle();
      const second = await ask(a.hub);
      expect(second.meta.cache).toBe('HIT');
      expect(a.openai.calls.length).toBe(1);
      expect(a.events).toContainEqual({ type: 'error', operation: 'get' });
      expect(a.events).toContainEqual({ type: 'error', operation: 'lock' });
      expect(a.events).toContainEqual({ type: 'error', operation: 'set' });
    });

    it('fails open when Redis hangs: a request costs at most a few command timeouts', async () => {
      const [a] = replicas({ redis: { url: 'redis://fake:6379', commandTimeoutMs: 30 } });
      redis.misbehaveAll('hang');
      const outcome = await outcomeWithin(ask(a.hub), 1000);
      expect(outcome).toMatchObject({ value: { id: 'chatcmpl-1', meta: { cache: 'MISS' } } });
    });

    it('reports Redis health', async () => {
      const [a] = replicas();
      await expect(a.cache.checkHealth()).resolves.toBe('ok');
      expect(a.cache.health()).toBe('ok');
      redis.misbehave.set('ping', 'fail');
      await expect(a.cache.checkHealth()).resolves.toBe('degraded');
      expect(a.events).toContainEqual({ type: 'health', status: 'degraded' });
      redis.misbehave.delete('ping');
      await expect(a.cache.checkHealth()).resolves.toBe('ok');
    });
  });

  describe('construction', () => {
    it('refuses a memory cache without entries and a redis cache without an address', () => {
      expect(() => new CacheMiddleware({ type: 'memory', maxSize: 0 })).toThrow(RangeError);
      expect(() => new CacheMiddleware({ type: 'redis' })).toThrow(/redis\.url/);
      expect(() => new CacheMiddleware({ type: 'redis-cluster', redis: { nodes: [] } })).toThrow(/redis\.nodes/);
    });

    it('a memory cache is always healthy', async () => {
      const { cache } = setup();
      expect(cache.health()).toBe('ok');
      await expect(cache.checkHealth()).resolves.toBe('ok');
      await expect(cache.close()).resolves.toBeUndefined();
    });
  });
});
