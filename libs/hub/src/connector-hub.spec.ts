import {
  HubError,
  isHubError,
  upstreamHttpError,
  type ChatCompletion,
  type LlmProvider,
} from '@llm-connector-hub/core';
import { MockProvider } from '@llm-connector-hub/providers';
import { ConnectorHub } from './connector-hub';
import type { ChatStream } from './chat-stream';
import type { HubContext } from './hub-context';
import type { HubMiddleware, StreamHandler } from './hub-middleware';
import type { HubCallMeta } from './hub-request';
import { ScriptedProvider, collect, hubErrorOf, rejectionOf, user } from '@llm-connector-hub/testing';

function hubWith(providers: Record<string, LlmProvider>, options: ConstructorParameters<typeof ConnectorHub>[0] = {}): ConnectorHub {
  const hub = new ConnectorHub(options);
  for (const [name, provider] of Object.entries(providers)) hub.registerProvider(name, provider);
  return hub;
}

/** Logs when each hook is entered and left. */
function tracer(name: string, log: string[]): HubMiddleware {
  return {
    name,
    async complete(ctx, next) {
      log.push(`${name}>`);
      const result = await next(ctx);
      log.push(`<${name}`);
      return result;
    },
    async stream(ctx, next) {
      log.push(`${name}>`);
      const stream = await next(ctx);
      return stream.onEnd(() => {
        log.push(`<${name}`);
      });
    },
    async embed(ctx, next) {
      log.push(`${name}>`);
      const result = await next(ctx);
      log.push(`<${name}`);
      return result;
    },
  };
}

describe('ConnectorHub', () => {
  describe('registerProvider', () => {
    it('registers providers in order and is chainable', () => {
      const a = new ScriptedProvider('a');
      const hub = new ConnectorHub().registerProvider('openai', a).registerProvider('azure-eu.1', new ScriptedProvider('b'));
      expect(hub.providerNames()).toEqual(['openai', 'azure-eu.1']);
      expect(hub.getProvider('openai')).toBe(a);
      expect(hub.getProvider('nope')).toBeUndefined();
    });

    it('refuses a second provider under the same name and keeps the first', () => {
      const first = new ScriptedProvider('first');
      const hub = hubWith({ openai: first });
      expect(() => hub.registerProvider('openai', new ScriptedProvider('second'))).toThrow("provider 'openai' is already registered");
      expect(hub.getProvider('openai')).toBe(first);
    });

    it.each(['', 'open/ai', '-openai', '.hidden', 'my provider', 'ollama:local'])('refuses the invalid name %p', (name) => {
      const hub = new ConnectorHub();
      expect(() => hub.registerProvider(name, new ScriptedProvider('x'))).toThrow(`invalid provider name '${name}'`);
      expect(hub.providerNames()).toEqual([]);
    });

    it.each(['openai', 'Groq2', 'azure-eu.1', 'my_vllm', '0ollama'])('accepts the name %p', (name) => {
      expect(() => new ConnectorHub().registerProvider(name, new ScriptedProvider('x'))).not.toThrow();
    });
  });

  describe('routing', () => {
    const setup = () => {
      const openai = new ScriptedProvider('openai', ['gpt-4o', 'shared']);
      const anthropic = new ScriptedProvider('anthropic', ['claude-sonnet-4-5', 'shared']);
      const together = new ScriptedProvider('together', []);
      const hub = hubWith(
        { openai, anthropic, together },
        { aliases: { smart: 'anthropic/claude-sonnet-4-5', 'gpt-4o': 'together/meta-llama/Llama-3-70b' }, defaultProvider: 'together' },
      );
      return { hub, openai, anthropic, together };
    };

    it('sends the request to the explicit provider field first, with its own prefix stripped', async () => {
      const { hub, openai, together } = setup();
      const meta: HubCallMeta = {};
      const result = await hub.complete({ provider: 'openai', model: 'openai/smart', messages: user('hi') }, { meta });
      expect(result.content).toBe('openai:smart');
      expect(openai.calls[0].request.model).toBe('smart');
      expect(meta).toMatchObject({ provider: 'openai', model: 'smart', target: 'openai/smart', attempts: 1 });
      expect(together.calls).toHaveLength(0);
    });

    it('resolves an alias before a provider that lists the same name', async () => {
      const { hub, together, openai } = setup();
      const result = await hub.complete({ model: 'gpt-4o', messages: user('hi') });
      expect(result.content).toBe('together:meta-llama/Llama-3-70b');
      expect(together.calls).toHaveLength(1);
      expect(openai.calls).toHaveLength(0);
    });

    it('takes only the first segment of a provider/model prefix as the provider', async () => {
      const { hub, together } = setup();
      await hub.complete({ model: 'together/meta-llama/Llama-3-8b-chat-hf', messages: user('hi') });
      expect(together.calls[0].request.model).toBe('meta-llama/Llama-3-8b-chat-hf');
    });

    it('routes a bare listed model to the first provider listing it, others to the default provider', async () => {
      const { hub, anthropic, together, openai } = setup();
      await hub.complete({ model: 'claude-sonnet-4-5', messages: user('hi') });
      await hub.complete({ model: 'shared', messages: user('hi') });
      await hub.complete({ model: 'qwen/qwen3-32b', messages: user('hi') });
      expect(anthropic.calls.map((c) => c.request.model)).toEqual(['claude-sonnet-4-5']);
      expect(openai.calls.map((c) => c.request.model)).toEqual(['shared']);
      expect(together.calls.map((c) => c.request.model)).toEqual(['qwen/qwen3-32b']);
    });

    it('finds providers registered after the hub was built', async () => {
      const hub = new ConnectorHub({ aliases: { fast: 'late/l-1' } });
      const late = new ScriptedProvider('late', ['l-2']);
      hub.registerProvider('late', late);
      expect(hub.resolve('fast')).toEqual({ provider: 'late', model: 'l-1' });
      expect(hub.resolve('l-2')).toEqual({ provider: 'late', model: 'l-2' });
    });

    it('answers 404 model_not_found and provider_not_found without calling anyone', async () => {
      const openai = new ScriptedProvider('openai', ['gpt-4o']);
      const hub = hubWith({ openai });
      expect(await hubErrorOf(hub.complete({ model: 'gpt-9', messages: user('hi') }))).toMatchObject({
        status: 404,
        code: 'model_not_found',
        param: 'model',
      });
      expect(await hubErrorOf(hub.complete({ provider: 'groq', model: 'gpt-4o', messages: user('hi') }))).toMatchObject({
        status: 404,
        code: 'provider_not_found',
        param: 'provider',
      });
      expect(await hubErrorOf(hub.embed({ model: 'nope', input: 'x' }))).toMatchObject({ status: 404, code: 'model_not_found' });
      expect(openai.calls).toHaveLength(0);
    });

    it("gives a request that names no model its provider's default model, and refuses one that has neither", async () => {
      const anthropic = Object.assign(new ScriptedProvider('anthropic', []), { defaultModel: 'claude-sonnet-4-5' });
      const openai = new ScriptedProvider('openai', []);
      const hub = hubWith({ anthropic, openai });
      expect((await hub.complete({ provider: 'anthropic', messages: user('hi') })).content).toBe('anthropic:claude-sonnet-4-5');
      await collect(hub.streamComplete({ provider: 'anthropic', messages: user('hi') }));
      expect((await hub.complete({ provider: 'anthropic', model: 'claude-haiku-4-5', messages: user('hi') })).content).toBe('anthropic:claude-haiku-4-5');
      expect(anthropic.calls.map((call) => call.request.model)).toEqual(['claude-sonnet-4-5', 'claude-sonnet-4-5', 'claude-haiku-4-5']);
      expect(await hubErrorOf(hub.complete({ provider: 'openai', messages: user('hi') }))).toMatchObject({ status: 400, param: 'model' });
      expect(openai.calls).toHaveLength(0);
    });

    it("sends the provider the canonical request only: routing fields removed, the caller's object untouched", async () => {
      const openai = new ScriptedProvider('openai', ['gpt-4o']);
      const hub = hubWith({ openai });
      const request = { provider: 'openai', timeout: 5_000, model: 'openai/gpt-4o', messages: user('hi'), temperature: 0.2 };
      await hub.complete(request);
      expect(openai.calls[0].request).toEqual({ model: 'gpt-4o', messages: user('hi'), temperature: 0.2 });
      expect(request).toEqual({ provider: 'openai', timeout: 5_000, model: 'openai/gpt-4o', messages: user('hi'), temperature: 0.2 });
    });
  });

  describe('with the MockProvider', () => {
    it('completes and streams through the hub with the content getter', async () => {
      const hub = hubWith({ mock: new MockProvider({ chunkCount: 3 }) });
      const meta: HubCallMeta = {};
      const completion = await hub.complete({ model: 'mock-1', messages: user('ping') }, { meta });
      expect(completion.content).toBe('Mock reply to: ping');
      expect(completion.model).toBe('mock-1');
      expect(meta).toMatchObject({ provider: 'mock', model: 'mock-1', target: 'mock/mock-1', attempts: 1 });

      const chunks = await collect(hub.streamComplete({ model: 'mock/anything', messages: user('ping') }));
      expect(chunks.map((c) => c.content ?? '').join('')).toBe('Mock reply to: ping');
      expect(chunks.every((c) => c.model === 'anything')).toBe(true);
      expect(JSON.parse(JSON.stringify(chunks[1]))).not.toHaveProperty('content');
      expect(chunks.at(-1)?.usage).toEqual({ prompt_tokens: 1, completion_tokens: 4, total_tokens: 5 });
    });

    it("serializes a completion in exactly OpenAI's shape", async () => {
      const hub = hubWith({ mock: new MockProvider() });
      const completion = await hub.complete({ model: 'mock-1', messages: user('ping') });
      const json = JSON.parse(JSON.stringify(completion));
      expect(Object.keys(json).sort()).toEqual(['choices', 'created', 'id', 'model', 'object', 'usage']);
      expect(json.choices[0].message).toEqual({ role: 'assistant', content: 'Mock reply to: ping' });
    });

    it('passes on the injected failure of a provider', async () => {
      const hub = hubWith({ mock: new MockProvider({ failEvery: 1, failStatus: 503 }) });
      expect(await hubErrorOf(hub.complete({ model: 'mock-1', messages: user('x') }))).toMatchObject({
        status: 502,
        code: 'upstream_error',
        upstreamStatus: 503,
      });
    });
  });

  describe('middleware', () => {
    it('runs the first use()d middleware outermost for complete, stream and embed', async () => {
      const log: string[] = [];
      const provider = new ScriptedProvider('p', ['m']);
      const hub = hubWith({ p: provider }).use(tracer('outer', log)).use(tracer('inner', log));
      await hub.complete({ model: 'm', messages: user('hi') });
      expect(log.splice(0)).toEqual(['outer>', 'inner>', '<inner', '<outer']);
      await collect(hub.streamComplete({ model: 'm', messages: user('hi') }));
      expect(log.splice(0)).toEqual(['outer>', 'inner>', '<inner', '<outer']);
      await hub.embed({ model: 'm', input: 'x' });
      expect(log.splice(0)).toEqual(['outer>', 'inner>', '<inner', '<outer']);
      expect(provider.calls.map((c) => c.kind)).toEqual(['complete', 'stream', 'embed']);
    });

    it('gives middleware the resolved request, the provider, the timeout and the requested model', async () => {
      const seen: HubContext[] = [];
      const hub = hubWith({ p: new ScriptedProvider('p') }, { aliases: { fast: 'p/m-1' }, defaultTimeoutMs: 12_345 });
      hub.use({ name: 'spy', complete: (ctx, next) => (seen.push(ctx), next(ctx)) });
      await hub.complete({ model: 'fast', messages: user('hi') }, { requestId: 'req-1' });
      expect(seen[0]).toMatchObject({
        kind: 'chat',
        requestId: 'req-1',
        requestedModel: 'fast',
        provider: 'p',
        timeoutMs: 12_345,
        stream: false,
        request: { model: 'm-1', messages: user('hi') },
      });
      expect(seen[0].signal).toBeInstanceOf(AbortSignal);
    });

    it('can short-circuit with a cached completion without calling the provider', async () => {
      const provider = new ScriptedProvider('p', ['m']);
      const cache = new Map<string, ChatCompletion>();
      const caching: HubMiddleware = {
        name: 'cache',
        async complete(ctx, next) {
          const key = JSON.stringify(ctx.request);
          const hit = cache.get(key);
          if (hit) return structuredClone(hit);
          const result = await next(ctx);
          cache.set(key, structuredClone(result));
          return result;
        },
      };
      const hub = hubWith({ p: provider }).use(caching);
      const first = await hub.complete({ model: 'm', messages: user('hi') });
      const meta: HubCallMeta = {};
      const second = await hub.complete({ model: 'm', messages: user('hi') }, { meta });
      expect(provider.calls).toHaveLength(1);
      expect(second.content).toBe(first.content);
      expect(JSON.stringify(second)).toBe(JSON.stringify(first));
      expect(meta.attempts).toBe(0);
    });

    it('can retry by calling next twice; meta.attempts counts the upstream calls', async () => {
      const provider = new ScriptedProvider('p', ['m']);
      provider.script = (n) => (n === 1 ? { fail: upstreamHttpError('p', 503, 'overloaded') } : undefined);
      const retry: HubMiddleware = {
        name: 'retry',
        async complete(ctx, next) {
          try {
            return await next(ctx);
          } catch (error) {
            if (isHubError(error) && error.retryable) return next(ctx);
            throw error;
          }
        },
      };
      const meta: HubCallMeta = {};
      const result = await hubWith({ p: provider }).use(retry).complete({ model: 'm', messages: user('hi') }, { meta });
      expect(result.content).toBe('p:m');
      expect(provider.calls).toHaveLength(2);
      expect(meta).toMatchObject({ provider: 'p', model: 'm', target: 'p/m', attempts: 2 });
    });

    it('accounts for upstream time per attempt and for the usage of the answer, streams included', async () => {
      const provider = new ScriptedProvider('p', ['m']);
      provider.script = (n) => (n === 1 ? { fail: upstreamHttpError('p', 503, 'overloaded') } : undefined);
      const attempts: Array<[string, string, number]> = [];
      const retry: HubMiddleware = {
        name: 'retry',
        complete: (ctx, next) => next(ctx).catch(() => next(ctx)),
      };
      const hub = hubWith({ p: provider, mock: new MockProvider({ chunkCount: 2 }) }, { onUpstreamAttempt: (...attempt) => attempts.push(attempt) }).use(retry);
      const meta: HubCallMeta = {};
      await hub.complete({ model: 'p/m', messages: user('hi') }, { meta });
      expect(attempts.map(([p, m]) => `${p}/${m}`)).toEqual(['p/m', 'p/m']);
      expect(attempts.every(([, , seconds]) => seconds >= 0)).toBe(true);
      expect(meta.upstreamMs).toBeCloseTo((attempts[0][2] + attempts[1][2]) * 1000, 6);
      expect(meta.usage).toEqual({ prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 });

      const streamMeta: HubCallMeta = {};
      await collect(hub.streamComplete({ model: 'mock/mock-1', messages: user('ping') }, { meta: streamMeta }));
      expect(attempts).toHaveLength(3);
      expect(streamMeta.usage).toMatchObject({ completion_tokens: expect.any(Number) });
      expect(streamMeta.upstreamMs).toBeGreaterThanOrEqual(0);
    });

    it('can observe stream chunks while the caller receives every one of them', async () => {
      const seen: string[] = [];
      const observer: HubMiddleware = {
        name: 'observer',
        async stream(ctx, next) {
          return (await next(ctx)).onChunk((chunk) => {
            seen.push(chunk.choices[0]?.delta.content ?? '');
          });
        },
      };
      const hub = hubWith({ p: new ScriptedProvider('p', ['m']) }).use(observer);
      const chunks = await collect(hub.streamComplete({ model: 'm', messages: user('hi') }));
      expect(chunks.map((c) => c.content ?? '').join('')).toBe('p:m:Hello!');
      expect(seen.join('')).toBe('p:m:Hello!');
      expect(chunks.at(-1)?.choices[0].finish_reason).toBe('stop');
    });

    it('can fall back to another provider; meta names who served', async () => {
      const primary = new ScriptedProvider('primary', ['m']);
      primary.script = () => ({ fail: upstreamHttpError('primary', 500, 'down') });
      const backup = new ScriptedProvider('backup', []);
      const fallback: HubMiddleware = {
        name: 'fallback',
        async complete(ctx, next) {
          try {
            return await next(ctx);
          } catch {
            ctx.provider = 'backup';
            ctx.request = { ...ctx.request, model: 'b-1' };
            return next(ctx);
          }
        },
        async stream(ctx, next) {
          try {
            return await next(ctx);
          } catch {
            ctx.provider = 'backup';
            ctx.request = { ...ctx.request, model: 'b-1' };
            return next(ctx);
          }
        },
      };
      const hub = hubWith({ primary, backup }).use(fallback);

      const meta: HubCallMeta = {};
      const result = await hub.complete({ model: 'm', messages: user('hi') }, { meta });
      expect(result.content).toBe('backup:b-1');
      expect(meta).toMatchObject({ provider: 'backup', model: 'b-1', target: 'backup/b-1', attempts: 2 });

      const streamMeta: HubCallMeta = {};
      const chunks = await collect(hub.streamComplete({ model: 'm', messages: user('hi') }, { meta: streamMeta }));
      expect(chunks.map((c) => c.content ?? '').join('')).toBe('backup:b-1:Hello!');
      expect(chunks[0].model).toBe('b-1');
      expect(streamMeta).toMatchObject({ provider: 'backup', model: 'b-1', target: 'backup/b-1', attempts: 2 });
    });

    it('applies middleware added after requests were served to the next ones', async () => {
      const log: string[] = [];
      const hub = hubWith({ p: new ScriptedProvider('p', ['m']) });
      await hub.complete({ model: 'm', messages: user('hi') });
      hub.use(tracer('late', log));
      await hub.complete({ model: 'm', messages: user('hi') });
      expect(log).toEqual(['late>', '<late']);
    });
  });

  describe('timeouts and aborts', () => {
    it("answers 504 upstream_timeout naming the provider, with the provider's signal aborted", async () => {
      const slow = new ScriptedProvider('slow', ['m']);
      slow.script = () => ({ hang: true });
      const hub = hubWith({ slow });
      const started = Date.now();
      const error = await hubErrorOf(hub.complete({ model: 'm', messages: user('hi'), timeout: 30 }));
      expect(error).toMatchObject({ status: 504, type: 'timeout_error', code: 'upstream_timeout', provider: 'slow' });
      expect(error.message).toContain('30 ms');
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(slow.calls[0].signal.aborted).toBe(true);
    });

    it("uses defaultTimeoutMs when the request gives none and caps the request's timeout at maxTimeoutMs", async () => {
      const slow = new ScriptedProvider('slow', ['m']);
      slow.script = () => ({ hang: true });
      const hub = hubWith({ slow }, { defaultTimeoutMs: 20, maxTimeoutMs: 40 });
      expect(await hubErrorOf(hub.complete({ model: 'm', messages: user('hi') }))).toMatchObject({ code: 'upstream_timeout' });
      const capped = await hubErrorOf(hub.complete({ model: 'm', messages: user('hi'), timeout: 60_000 }));
      expect(capped.message).toContain('40 ms');
    });

    it('names the provider that was being called when a fallback timed out', async () => {
      const primary = new ScriptedProvider('primary', ['m']);
      primary.script = () => ({ fail: upstreamHttpError('primary', 500, 'down') });
      const backup = new ScriptedProvider('backup');
      backup.script = () => ({ hang: true });
      const hub = hubWith({ primary, backup }).use({
        name: 'fallback',
        complete: (ctx, next) =>
          next(ctx).catch(() => {
            ctx.provider = 'backup';
            return next(ctx);
          }),
      });
      expect(await hubErrorOf(hub.complete({ model: 'm', messages: user('hi'), timeout: 30 }))).toMatchObject({
        code: 'upstream_timeout',
        provider: 'backup',
      });
    });

    it('times out a stream that stalls after its first chunk', async () => {
      const stalls = new ScriptedProvider('stalls', ['m']);
      stalls.script = () => ({ hang: true, afterChunks: 1 });
      const iterator = hubWith({ stalls }).streamComplete({ model: 'm', messages: user('hi'), timeout: 30 });
      expect((await iterator.next()).value?.content).toBe('stalls:m:');
      expect(await hubErrorOf(iterator.next())).toMatchObject({ status: 504, code: 'upstream_timeout', provider: 'stalls' });
      expect(stalls.calls[0].signal.aborted).toBe(true);
    });

    it('times out an embedding call', async () => {
      const slow = new ScriptedProvider('slow', ['e']);
      slow.script = () => ({ hang: true });
      expect(await hubErrorOf(hubWith({ slow }).embed({ model: 'e', input: 'x', timeout: 20 }))).toMatchObject({
        code: 'upstream_timeout',
      });
    });

    it('turns a caller abort into 499 client_closed_request and aborts the upstream call', async () => {
      const slow = new ScriptedProvider('slow', ['m']);
      slow.script = () => ({ hang: true });
      const caller = new AbortController();
      const pending = hubWith({ slow }).complete({ model: 'm', messages: user('hi') }, { signal: caller.signal });
      setTimeout(() => caller.abort(), 10);
      expect(await hubErrorOf(pending)).toMatchObject({ status: 499, code: 'client_closed_request' });
      expect(slow.calls[0].signal.aborted).toBe(true);
    });

    it('aborts a MockProvider waiting out its latency', async () => {
      const caller = new AbortController();
      const hub = hubWith({ mock: new MockProvider({ latencyMs: 10_000 }) });
      const pending = hub.complete({ model: 'mock-1', messages: user('hi') }, { signal: caller.signal });
      setTimeout(() => caller.abort(), 10);
      const started = Date.now();
      expect(await hubErrorOf(pending)).toMatchObject({ code: 'client_closed_request' });
      expect(Date.now() - started).toBeLessThan(2_000);
    });

    it('keeps the HubError a caller aborted with, for complete and for a stream', async () => {
      const shutdown = new HubError({ status: 503, type: 'api_error', code: 'shutting_down', message: 'bye' });
      const slow = new ScriptedProvider('slow', ['m']);
      slow.script = () => ({ hang: true, afterChunks: 1 });
      const hub = hubWith({ slow });

      const caller = new AbortController();
      const iterator = hub.streamComplete({ model: 'm', messages: user('hi') }, { signal: caller.signal });
      await iterator.next();
      caller.abort(shutdown);
      expect(await rejectionOf(iterator.next())).toBe(shutdown);

      slow.script = () => ({ hang: true });
      const second = new AbortController();
      second.abort(shutdown);
      expect(await rejectionOf(hub.complete({ model: 'm', messages: user('hi') }, { signal: second.signal }))).toBe(shutdown);
    });

    it('hands middleware a HubError when the deadline or the caller aborted the provider', async () => {
      const codes: unknown[] = [];
      const metrics: HubMiddleware = {
        name: 'metrics',
        async complete(ctx, next) {
          try {
            return await next(ctx);
          } catch (error) {
            codes.push(isHubError(error) ? error.code : `not a HubError: ${String(error)}`);
            throw error;
          }
        },
      };
      const slow = new ScriptedProvider('slow', ['m']);
      slow.script = () => ({ hang: true });
      const hub = hubWith({ slow }).use(metrics);
      await rejectionOf(hub.complete({ model: 'm', messages: user('hi'), timeout: 20 }));
      const caller = new AbortController();
      const pending = hub.complete({ model: 'm', messages: user('hi') }, { signal: caller.signal });
      caller.abort();
      await rejectionOf(pending);
      expect(codes).toEqual(['upstream_timeout', 'client_closed_request']);
    });

    it('passes upstream errors through unchanged', async () => {
      const failing = new ScriptedProvider('f', ['m']);
      const upstream = upstreamHttpError('f', 429, 'slow down', 7);
      failing.script = () => ({ fail: upstream });
      expect(await rejectionOf(hubWith({ f: failing }).complete({ model: 'm', messages: user('hi') }))).toBe(upstream);
    });
  });

  describe('no timer outlives a call', () => {
    beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] }));
    afterEach(() => jest.useRealTimers());

    it('after complete succeeds or fails', async () => {
      const provider = new ScriptedProvider('p', ['m']);
      const hub = hubWith({ p: provider });
      await hub.complete({ model: 'm', messages: user('hi') });
      expect(jest.getTimerCount()).toBe(0);
      provider.script = () => ({ fail: upstreamHttpError('p', 500, 'x') });
      await rejectionOf(hub.complete({ model: 'm', messages: user('hi') }));
      expect(jest.getTimerCount()).toBe(0);
    });

    it('after a stream ends, and after the caller stops reading it early', async () => {
      const provider = new ScriptedProvider('p', ['m']);
      const hub = hubWith({ p: provider });
      await collect(hub.streamComplete({ model: 'm', messages: user('hi') }));
      expect(jest.getTimerCount()).toBe(0);

      const caller = new AbortController();
      for await (const chunk of hub.streamComplete({ model: 'm', messages: user('hi') }, { signal: caller.signal })) {
        expect(chunk.content).toBe('p:m:');
        expect(jest.getTimerCount()).toBe(1);
        break;
      }
      expect(jest.getTimerCount()).toBe(0);
      expect(provider.streamsClosed).toBe(2);
      caller.abort();
      expect(provider.calls[1].signal.aborted).toBe(false);
    });

    it('after embed', async () => {
      await hubWith({ p: new ScriptedProvider('p', ['e']) }).embed({ model: 'e', input: 'x' });
      expect(jest.getTimerCount()).toBe(0);
    });
  });

  describe('streamComplete', () => {
    it('sends nothing upstream and runs no middleware until the first next()', async () => {
      const provider = new ScriptedProvider('p', ['m']);
      const log: string[] = [];
      const hub = hubWith({ p: provider }).use(tracer('t', log));
      const iterator = hub.streamComplete({ model: 'm', messages: user('hi') });
      await new Promise((resolve) => setImmediate(resolve));
      expect(provider.calls).toHaveLength(0);
      expect(log).toEqual([]);
      const first = await iterator.next();
      expect(first.value?.content).toBe('p:m:');
      expect(provider.calls).toHaveLength(1);
    });

    it('rejects the first next() (not the call) on a routing error', async () => {
      const iterator = hubWith({ p: new ScriptedProvider('p', ['m']) }).streamComplete({ model: 'gpt-9', messages: user('hi') });
      expect(await hubErrorOf(iterator.next())).toMatchObject({ status: 404, code: 'model_not_found' });
    });

    it('rejects the first next() with an upstream error raised before the first chunk', async () => {
      const provider = new ScriptedProvider('p', ['m']);
      const unauthorized = upstreamHttpError('p', 401, 'bad key');
      provider.script = () => ({ fail: unauthorized });
      const iterator = hubWith({ p: provider }).streamComplete({ model: 'm', messages: user('hi') });
      expect(await rejectionOf(iterator.next())).toBe(unauthorized);
    });

    it('with the mock: an injected failure rejects the first next(), or a later one with failMidStream', async () => {
      const before = hubWith({ mock: new MockProvider({ failEvery: 1 }) }).streamComplete({ model: 'mock-1', messages: user('x') });
      expect(await hubErrorOf(before.next())).toMatchObject({ code: 'upstream_error' });

      const mid = hubWith({ mock: new MockProvider({ failEvery: 1, failMidStream: true }) }).streamComplete({
        model: 'mock-1',
        messages: user('x'),
      });
      expect((await mid.next()).value?.choices[0].delta.role).toBe('assistant');
      expect(await hubErrorOf(mid.next())).toMatchObject({ code: 'upstream_stream_interrupted' });
    });

    it('marks the context as a stream for middleware', async () => {
      let stream: boolean | undefined;
      const hub = hubWith({ p: new ScriptedProvider('p', ['m']) }).use({
        name: 'spy',
        stream: (ctx: HubContext, next: StreamHandler): Promise<ChatStream> => {
          stream = ctx.stream;
          return next(ctx);
        },
      });
      await collect(hub.streamComplete({ model: 'm', messages: user('hi') }));
      expect(stream).toBe(true);
    });
  });

  describe('native requests', () => {
    /** Records the native request each call's context carried. */
    class NativeSpy extends ScriptedProvider {
      readonly natives: unknown[] = [];
      override complete(...args: Parameters<ScriptedProvider['complete']>) {
        this.natives.push(args[1].native);
        return super.complete(...args);
      }
      override stream(...args: Parameters<ScriptedProvider['stream']>) {
        this.natives.push(args[1].native);
        return super.stream(...args);
      }
    }

    it("hands the route's native request to the provider with the call, beside the unchanged canonical request", async () => {
      const provider = new NativeSpy('p', ['m']);
      const hub = hubWith({ p: provider }, { aliases: { claude: 'p/m' } });
      const native = { dialect: 'anthropic-messages', body: { model: 'claude', max_tokens: 5, messages: [] }, headers: { 'anthropic-beta': 'x' } };
      await hub.complete({ model: 'claude', messages: user('hi') }, { native });
      await collect(hub.streamComplete({ model: 'claude', messages: user('hi') }, { native }));
      await hub.complete({ model: 'claude', messages: user('hi') });
      expect(provider.natives).toEqual([native, native, undefined]);
      expect(provider.calls.map((call) => call.request)).toEqual([
        { model: 'm', messages: user('hi') },
        { model: 'm', messages: user('hi') },
        { model: 'm', messages: user('hi') },
      ]);
    });

    it('says whether a target of a model is served by a provider that takes the dialect as it came', () => {
      const native = Object.assign(new ScriptedProvider('a', ['claude']), { nativeDialects: ['anthropic-messages'] });
      const hub = hubWith({ a: native, o: new ScriptedProvider('o', ['gpt']) }, { aliases: { both: ['o/gpt', 'a/claude'], plain: 'o/gpt' } });
      expect(['a/claude', 'both', 'claude', 'o/gpt', 'plain', 'unknown-model'].map((model) => hub.takesNatively(model, 'anthropic-messages'))).toEqual([true, true, true, false, false, false]);
      expect(hub.takesNatively('a/claude', 'openai-responses')).toBe(false);
    });
  });

  describe('embed', () => {
    it('routes like chat and returns the provider embeddings', async () => {
      const hub = hubWith({ mock: new MockProvider() });
      const meta: HubCallMeta = {};
      const result = await hub.embed({ model: 'mock/mock-embed', input: ['a', 'b'], dimensions: 4 }, { meta });
      expect(result.model).toBe('mock-embed');
      expect(result.data.map((d) => d.index)).toEqual([0, 1]);
      expect(result.data[0].embedding).toHaveLength(4);
      expect(meta).toMatchObject({ provider: 'mock', model: 'mock-embed', target: 'mock/mock-embed', attempts: 1 });
    });

    it('on a provider without embeddings is 400 unsupported_capability', async () => {
      const chatOnly = new ScriptedProvider('chat-only', ['m'], { embeds: false });
      const error = await hubErrorOf(hubWith({ 'chat-only': chatOnly }).embed({ model: 'm', input: 'x' }));
      expect(error).toMatchObject({ status: 400, code: 'unsupported_capability', param: 'model', type: 'invalid_request_error' });
      expect(error.message).toContain("'chat-only'");
      expect(chatOnly.calls).toHaveLength(0);
    });

    it('unsupported_capability reaches middleware as a rejection it can handle', async () => {
      const hub = hubWith({ chat: new ScriptedProvider('chat', ['m'], { embeds: false }), emb: new ScriptedProvider('emb', []) });
      hub.use({
        name: 'fallback',
        embed: (ctx, next) =>
          next(ctx).catch((error: unknown) => {
            if (!isHubError(error) || error.code !== 'unsupported_capability') throw error;
            ctx.provider = 'emb';
            return next(ctx);
          }),
      });
      const meta: HubCallMeta = {};
      const result = await hub.embed({ model: 'm', input: 'x' }, { meta });
      expect(result.data).toHaveLength(1);
      expect(meta.provider).toBe('emb');
    });
  });

  describe('listModels', () => {
    it('lists every provider/model, then the aliases with their target', () => {
      const hub = hubWith(
        { openai: new ScriptedProvider('o', ['gpt-4o', 'gpt-4o-mini']), ollama: new ScriptedProvider('l', []), mock: new MockProvider() },
        { aliases: { smart: 'openai/gpt-4o', llama: 'ollama/meta/llama3' } },
      );
      expect(hub.listModels()).toEqual([
        { id: 'openai/gpt-4o', provider: 'openai' },
        { id: 'openai/gpt-4o-mini', provider: 'openai' },
        { id: 'mock/mock-1', provider: 'mock' },
        { id: 'mock/mock-fast', provider: 'mock' },
        { id: 'smart', provider: 'openai', target: 'openai/gpt-4o' },
        { id: 'llama', provider: 'ollama', target: 'ollama/meta/llama3' },
      ]);
    });
  });

  describe('close', () => {
    it('closes every provider that can be closed and waits for them', async () => {
      const a = new ScriptedProvider('a');
      const b = new ScriptedProvider('b');
      const hub = hubWith({ a, b, mock: new MockProvider() });
      await hub.close();
      expect([a.closed, b.closed]).toEqual([1, 1]);
    });

    it('closes an instance registered under two names once (a closed undici pool rejects a second close)', async () => {
      const shared = new ScriptedProvider('shared');
      await hubWith({ openai: shared, gpt: shared }).close();
      expect(shared.closed).toBe(1);
    });
  });
});
