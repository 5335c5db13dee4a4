import type { CacheDirectives } from '@llm-connector-hub/hub';
import { isCacheable, isDeterministic, type Cacheable, type CachePolicyOptions, type PolicyCall } from './cache-policy';

const messages = [{ role: 'user' as const, content: 'Give me a random name' }];

function chat(sampling: { temperature?: number; seed?: number; n?: number; top_p?: number }, cache: CacheDirectives = {}, requestedModel = 'openai/gpt-x'): PolicyCall {
  return { kind: 'chat', requestedModel, cache, request: { model: 'gpt-x', messages, ...sampling } };
}

function embedding(cache: CacheDirectives = {}): PolicyCall {
  return { kind: 'embedding', requestedModel: 'openai/embed', cache, request: { model: 'embed', input: 'a' } };
}

const cacheable = (call: PolicyCall, mode: Cacheable = 'deterministic', models?: CachePolicyOptions['models']) => isCacheable(call, mode, models);

describe('cache policy', () => {
  describe('deterministic (the default): only answers meant to be the same each time', () => {
    it('caches greedy decoding (temperature 0), whatever top_p says', () => {
      expect(cacheable(chat({ temperature: 0 }))).toBe(true);
      expect(cacheable(chat({ temperature: 0, top_p: 0.3 }))).toBe(true);
    });

    it('caches a request with a seed, whatever its temperature (the caller asks for reproducible samples)', () => {
      expect(cacheable(chat({ seed: 42 }))).toBe(true);
      expect(cacheable(chat({ temperature: 0.9, seed: 0 }))).toBe(true);
    });

    it('does not cache sampling: a temperature above 0, or none at all (the provider default is 1)', () => {
      expect(cacheable(chat({ temperature: 0.7 }))).toBe(false);
      expect(cacheable(chat({}))).toBe(false);
    });

    it('does not take top_p alone for greedy decoding', () => {
      expect(cacheable(chat({ top_p: 0 }))).toBe(false);
      expect(cacheable(chat({ temperature: 1, top_p: 0.01 }))).toBe(false);
    });

    it('does not cache n > 1 (several different answers asked for), even at temperature 0 or with a seed', () => {
      expect(cacheable(chat({ temperature: 0, n: 3 }))).toBe(false);
      expect(cacheable(chat({ seed: 1, n: 2 }))).toBe(false);
      expect(cacheable(chat({ temperature: 0, n: 1 }))).toBe(true);
    });

    it('caches every embedding (the same input gives the same vector)', () => {
      expect(cacheable(embedding())).toBe(true);
    });
  });

  describe('opting in', () => {
    it('a request with Cache-Control max-age is cached whatever its sampling, n > 1 included', () => {
      expect(cacheable(chat({ temperature: 0.7 }, { maxAgeSeconds: 60 }))).toBe(true);
      expect(cacheable(chat({ n: 4 }, { maxAgeSeconds: 0 }))).toBe(true);
    });

    it('a request asking for a TTL for its answer (x-llm-hub-cache-ttl) is cached', () => {
      expect(cacheable(chat({ temperature: 1 }, { ttlSeconds: 30 }))).toBe(true);
    });

    it('no-cache and no-store alone do not opt in (they narrow what the cache does, CacheMiddleware applies them)', () => {
      expect(cacheable(chat({ temperature: 0.7 }, { noCache: true }))).toBe(false);
      expect(cacheable(chat({ temperature: 0.7 }, { noStore: true }))).toBe(false);
    });

    it("'all' caches every call, the old behaviour", () => {
      expect(cacheable(chat({ temperature: 0.7, n: 3 }), 'all')).toBe(true);
      expect(cacheable(chat({}), 'all')).toBe(true);
    });

    it('a model (alias or provider/model, as the caller names it) may set its own, either way', () => {
      const models = { faq: { cacheable: 'all' as const }, 'openai/gpt-x': { cacheable: 'deterministic' as const } };
      expect(cacheable(chat({ temperature: 0.7 }, {}, 'faq'), 'deterministic', models)).toBe(true);
      expect(cacheable(chat({ temperature: 0.7 }, {}, 'openai/gpt-x'), 'all', models)).toBe(false);
      expect(cacheable(chat({ temperature: 0.7 }, {}, 'other'), 'all', models)).toBe(true);
      // A model named like an Object.prototype member is just a name.
      expect(cacheable(chat({ temperature: 0.7 }, {}, 'constructor'), 'deterministic', models)).toBe(false);
    });
  });

  it('isDeterministic reads only temperature, seed and n', () => {
    expect(isDeterministic({ temperature: 0 })).toBe(true);
    expect(isDeterministic({ temperature: 0.2 })).toBe(false);
  });
});
