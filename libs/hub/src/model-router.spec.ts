import { HubError } from '@llm-connector-hub/core';
import { ModelRouter, type ModelRouterOptions, type ProviderCatalog } from './model-router';

/** A catalog of registered providers and the models each lists, in registration order. */
function catalog(providers: Record<string, string[]>): ProviderCatalog {
  return {
    has: (name) => Object.hasOwn(providers, name),
    providerListing: (model) => Object.keys(providers).find((name) => providers[name].includes(model)),
  };
}

function router(providers: Record<string, string[]>, options: ModelRouterOptions = {}): ModelRouter {
  return new ModelRouter(catalog(providers), options);
}

function errorOf(fn: () => unknown): HubError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HubError);
    return error as HubError;
  }
  throw new Error('expected a HubError');
}

describe('ModelRouter', () => {
  const providers = {
    openai: ['gpt-4o', 'shared'],
    anthropic: ['claude-sonnet-4-5', 'shared'],
    together: ['meta-llama/Llama-3-8b-chat'],
    ollama: [],
  };

  describe('a model name no upstream should see', () => {
    it.each(['openai/gpt\r\nx: 1', 'gpt\u0000', `openai/${'m'.repeat(300)}`, 'openai/\ud800'])('is refused with a 400 on model before routing: %j', (model) => {
      const r = router(providers, { defaultProvider: 'ollama' });
      for (const resolve of [() => r.resolve(model), () => r.resolveTargets(model), () => r.resolve(model, 'ollama')]) {
        expect(errorOf(resolve)).toMatchObject({ status: 400, code: 'invalid_model', param: 'model' });
      }
    });
  });

  describe('an explicit provider field', () => {
    it('wins over an alias, a prefix and a listing', () => {
      const r = router(providers, { aliases: { 'gpt-4o': 'anthropic/claude-sonnet-4-5' } });
      expect(r.resolve('gpt-4o', 'ollama')).toEqual({ provider: 'ollama', model: 'gpt-4o' });
      expect(r.resolve('openai/gpt-4o', 'ollama')).toEqual({ provider: 'ollama', model: 'openai/gpt-4o' });
    });

    it("strips the provider's own prefix but keeps the rest of a model id with slashes", () => {
      const r = router(providers);
      expect(r.resolve('together/meta-llama/Llama-3-8b-chat', 'together')).toEqual({
        provider: 'together',
        model: 'meta-llama/Llama-3-8b-chat',
      });
      expect(r.resolve('meta-llama/Llama-3-8b-chat', 'together')).toEqual({
        provider: 'together',
        model: 'meta-llama/Llama-3-8b-chat',
      });
    });

    it('naming an unregistered provider is a 404 provider_not_found on param provider', () => {
      const error = errorOf(() => router(providers).resolve('gpt-4o', 'groq'));
      expect(error).toMatchObject({ status: 404, code: 'provider_not_found', param: 'provider' });
      expect(error.message).toContain("'groq'");
    });
  });

  describe('an alias', () => {
    it('maps to its provider/model, keeping slashes in the model part', () => {
      const r = router(providers, { aliases: { llama: 'together/meta-llama/Llama-3-8b-chat', smart: 'openai/gpt-4o' } });
      expect(r.resolve('llama')).toEqual({ provider: 'together', model: 'meta-llama/Llama-3-8b-chat' });
      expect(r.resolve('smart')).toEqual({ provider: 'openai', model: 'gpt-4o' });
    });

    it('wins over a provider that lists the same name', () => {
      const r = router(providers, { aliases: { 'gpt-4o': 'anthropic/claude-sonnet-4-5' } });
      expect(r.resolve('gpt-4o')).toEqual({ provider: 'anthropic', model: 'claude-sonnet-4-5' });
    });

    it('pointing at an unregistered provider is a 404 provider_not_found', () => {
      const r = router(providers, { aliases: { fast: 'groq/llama-3.1-8b-instant' } });
      expect(errorOf(() => r.resolve('fast'))).toMatchObject({ status: 404, code: 'provider_not_found' });
    });

    it("that is not 'provider/model' is refused when the router is built", () => {
      expect(() => router(providers, { aliases: { fast: 'gpt-4o' } })).toThrow(/alias 'fast' must point at 'provider\/model'/);
      expect(() => router(providers, { aliases: { fast: '/gpt-4o' } })).toThrow(/alias 'fast'/);
    });

    it('is listed with its route', () => {
      const r = router(providers, { aliases: { smart: 'openai/gpt-4o' } });
      expect(r.aliasEntries()).toEqual([['smart', { provider: 'openai', model: 'gpt-4o' }]]);
    });
  });

  describe('a provider/model prefix', () => {
    it('routes to the named provider with everything after the first slash as the model', () => {
      const r = router(providers);
      expect(r.resolve('anthropic/claude-3-haiku')).toEqual({ provider: 'anthropic', model: 'claude-3-haiku' });
      expect(r.resolve('together/meta-llama/Llama-3-70b')).toEqual({ provider: 'together', model: 'meta-llama/Llama-3-70b' });
    });

    it('wins over a listing of the same full id elsewhere', () => {
      const r = router({ a: ['b/x'], b: [] });
      expect(r.resolve('b/x')).toEqual({ provider: 'b', model: 'x' });
    });

    it('is not taken as a provider when the first segment is not registered', () => {
      const r = router(providers);
      expect(r.resolve('meta-llama/Llama-3-8b-chat')).toEqual({ provider: 'together', model: 'meta-llama/Llama-3-8b-chat' });
      expect(router(providers, { defaultProvider: 'ollama' }).resolve('qwen/qwen3:8b')).toEqual({
        provider: 'ollama',
        model: 'qwen/qwen3:8b',
      });
    });
  });

  describe('a bare model name', () => {
    it('goes to the first registered provider that lists it', () => {
      const r = router(providers, { defaultProvider: 'ollama' });
      expect(r.resolve('claude-sonnet-4-5')).toEqual({ provider: 'anthropic', model: 'claude-sonnet-4-5' });
      expect(r.resolve('shared')).toEqual({ provider: 'openai', model: 'shared' });
    });

    it('that no provider lists goes to the default provider', () => {
      expect(router(providers, { defaultProvider: 'ollama' }).resolve('llama3.2')).toEqual({ provider: 'ollama', model: 'llama3.2' });
    });

    it('that no provider lists, without a default provider, is a 404 model_not_found on param model', () => {
      const error = errorOf(() => router(providers).resolve('gpt-9'));
      expect(error).toMatchObject({ status: 404, code: 'model_not_found', param: 'model', type: 'invalid_request_error' });
      expect(error.message).toContain("'gpt-9'");
    });

    it('is model_not_found when the default provider is not registered', () => {
      expect(errorOf(() => router(providers, { defaultProvider: 'groq' }).resolve('gpt-9')).code).toBe('model_not_found');
    });
  });
});
